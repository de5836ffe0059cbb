"""What every check runs with: the target, the device, Hypothesis settings, limits and widenings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import torch
from hypothesis import HealthCheck, settings

from reference.bounds import Precision

from .target import Target
from .tolerance import precision_for

DEFAULT_CALL_TIMEOUT_S = 10.0


@dataclass
class CheckContext:
    target: Target
    device: str = "cpu"
    settings: settings | None = None              # None: Hypothesis's current profile
    call_timeout: float | None = DEFAULT_CALL_TIMEOUT_S  # seconds per call into the target
    widen: Mapping[str, float] = field(default_factory=dict)  # check id -> tolerance factor

    def __post_init__(self) -> None:
        from .timeouts import warm_up

        warm_up()

    def hypothesis_settings(self) -> settings:
        """The profile's settings, with what every check needs: no deadline (the first call pays for
        imports and warm-up) and no health check that would fail a slow *target* rather than a wrong one."""
        base = self.settings if self.settings is not None else settings()
        return settings(base, deadline=None, report_multiple_bugs=False, suppress_health_check=[
            HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
            HealthCheck.differing_executors,
        ])

    def precision(self, check_id: str, dtype: str) -> Precision:
        return precision_for(getattr(torch, dtype), self.device, self.widen.get(check_id, 1.0))

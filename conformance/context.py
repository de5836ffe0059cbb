"""What every check runs with: the target, the device, Hypothesis settings, limits and widenings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, TypeVar

import pytest
import torch
from hypothesis import HealthCheck, seed, settings

from reference.bounds import Precision

from .target import Target
from .tolerance import precision_for

DEFAULT_CALL_TIMEOUT_S = 10.0

F = TypeVar("F", bound=Callable)


@dataclass
class CheckContext:
    target: Target
    device: str = "cpu"
    settings: settings | None = None              # None: Hypothesis's current profile
    call_timeout: float | None = DEFAULT_CALL_TIMEOUT_S  # seconds per call into the target
    widen: Mapping[str, float] = field(default_factory=dict)  # check id -> tolerance factor
    seed: int | None = None                       # Hypothesis seed of every check; None: the profile's
    tmp_dir: str | None = None                    # where checks may write files (pytest's tmp_path_factory)

    def __post_init__(self) -> None:
        from .timeouts import warm_up

        warm_up()

    def hypothesis_settings(self) -> Callable[[F], F]:
        """Decorator for a check's ``@given`` test: the profile's settings, with what every check needs
        (no deadline, since the first call pays for imports and warm-up; no health check that would
        fail a slow *target* rather than a wrong one), and the run's seed when it has one."""
        base = self.settings if self.settings is not None else settings()
        chosen = settings(base, deadline=None, report_multiple_bugs=False, suppress_health_check=[
            HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
            HealthCheck.differing_executors,
        ])

        def apply(test: F) -> F:
            test = chosen(test)
            return test if self.seed is None else seed(self.seed)(test)

        return apply

    def require_device(self) -> None:
        """Skip (with the reason) a check asked to run on a device this machine does not have."""
        device = str(self.device)
        if device.startswith("cuda") and not torch.cuda.is_available():
            pytest.skip(f"device {device!r} requested, but torch finds no CUDA device on this machine")
        if device.startswith("mps") and not torch.backends.mps.is_available():
            pytest.skip(f"device {device!r} requested, but torch finds no MPS device on this machine")

    def precision(self, check_id: str, dtype: str) -> Precision:
        return precision_for(getattr(torch, dtype), self.device, self.widen.get(check_id, 1.0))

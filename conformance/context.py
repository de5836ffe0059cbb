"""What every check runs with: the target, the device, Hypothesis settings, limits and widenings."""

from __future__ import annotations

import contextlib
import functools
import zlib
from dataclasses import dataclass, field
from typing import Callable, Iterator, Mapping, TypeVar

import pytest
import torch
from hypothesis import HealthCheck, seed, settings

from reference.bounds import Precision

from .target import Target
from .timeouts import DEFAULT_CALL_TIMEOUT_S
from .tolerance import precision_for

F = TypeVar("F", bound=Callable)


@dataclass
class CheckContext:
    target: Target
    device: str = "cpu"
    settings: settings | None = None              # None: Hypothesis's current profile
    call_timeout: float | None = DEFAULT_CALL_TIMEOUT_S  # seconds per call into the target
    widen: Mapping[str, float] = field(default_factory=dict)  # check id -> tolerance factor
    seed: int | str | None = None                 # Hypothesis seed of every check; None: the profile's
    tmp_dir: str | None = None                    # where checks may write files (pytest's tmp_path_factory)
    threads: int | None = 1                       # torch intra-op threads during a check; None: leave as is
    examples: int = field(default=0, compare=False)  # Hypothesis examples executed so far (for benchmarks)
    check_id: str | None = field(default=None, compare=False)  # the check running now (Check.__call__ sets it)

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
            inner = test.hypothesis.inner_test  # type: ignore[attr-defined]

            @functools.wraps(inner)  # Hypothesis names the test in its report
            def counted(*args, **kwargs):
                self.examples += 1
                return inner(*args, **kwargs)

            test.hypothesis.inner_test = counted  # type: ignore[attr-defined]
            if self.check_id is not None:
                # The example database's key, per check (the checks of one property share a function,
                # whose source digest Hypothesis would otherwise compute on every call, ~4 ms).
                test._hypothesis_internal_database_key = f"nn-conformance:{self.check_id}".encode()  # type: ignore
            if self.seed is not None:
                return seed(self.seed)(test)
            if chosen.derandomize:
                # What derandomize does (a seed fixed per test function), without Hypothesis hashing
                # the function's source on every call, which costs ~10 ms per check.
                return seed(zlib.crc32(f"{inner.__module__}.{inner.__qualname__}".encode()))(test)
            return test

        return apply

    @contextlib.contextmanager
    def intra_op_threads(self) -> Iterator[None]:
        """Run a check with ``threads`` torch intra-op threads, restoring the caller's count after.
        The drawn blocks are small, where one thread is fastest, and under pytest-xdist every worker
        spinning several threads on a few cores slows the whole run several-fold."""
        before = torch.get_num_threads()
        if self.threads and self.threads != before:
            torch.set_num_threads(self.threads)
        try:
            yield
        finally:
            if torch.get_num_threads() != before:
                torch.set_num_threads(before)

    def require_device(self) -> None:
        """Skip (with the reason) a check asked to run on a device this machine does not have."""
        device = str(self.device)
        if device.startswith("cuda") and not torch.cuda.is_available():
            pytest.skip(f"device {device!r} requested, but torch finds no CUDA device on this machine")
        if device.startswith("mps") and not torch.backends.mps.is_available():
            pytest.skip(f"device {device!r} requested, but torch finds no MPS device on this machine")

    def precision(self, check_id: str, dtype: str) -> Precision:
        return precision_for(getattr(torch, dtype), self.device, self.widen.get(check_id, 1.0))

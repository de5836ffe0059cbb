"""What every check runs with: the target, the device, Hypothesis settings, limits and widenings."""

from __future__ import annotations

import contextlib
import functools
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterator, Mapping, TypeVar

import pytest
import torch
from hypothesis import HealthCheck, example, seed, settings
from hypothesis import settings as HypothesisSettings  # the type (the field ``settings`` shadows it)
from hypothesis.errors import Flaky, Unsatisfiable, UnsatisfiedAssumption

from conformance.core.failures import (
    EXCEPTION_GROUP,
    REFUSED_EVERY_EXAMPLE,
    CheckFailure,
    NotChecked,
    merge_failures,
)
from conformance.judging.tolerance import precision_for
from conformance.loading.target import Target
from conformance.sandbox.timeouts import DEFAULT_CALL_TIMEOUT_S
from reference.bounds import Precision

F = TypeVar("F", bound=Callable)

#: A check that compares the block against the spec passes only on at least this many judged
#: examples that exercise the property (a parametrized block where the spec has parameters, a
#: non-empty output); the anchor cases alone provide them for a conforming block.
MIN_EXERCISED = 3
#: A check that could judge none of this many examples in a row, each left unjudged because another
#: check fails on it (``cannot_judge``) or refused by the spec's reference (``refused``), stops there:
#: *not checked*. (Hypothesis would otherwise draw some 460 examples before giving up; one judgeable
#: example in 20 would still be seen at least once in 50 draws with probability 1 - 0.95**50 = 92%.)
GIVE_UP_UNJUDGED = 50


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
    scope: str = ""                               # of several targets, this one's label: its own example database
    examples: int = field(default=0, compare=False)  # Hypothesis examples executed so far (for benchmarks)
    check_id: str | None = field(default=None, compare=False)  # the check running now (Check.__call__ sets it)
    notes: list[str] = field(default_factory=list, compare=False)  # what the report says of the check now running
    causes: list[str] = field(default_factory=list, compare=False)  # checks whose failure left examples unjudged
    anchors: tuple = field(default=(), compare=False)  # the running check's anchor cases (``drawing.anchors``)
    budget: float = field(default=1.0, compare=False)  # the running check's share of the profile's examples
    exercised: int | None = field(default=None, compare=False)  # examples the last check judged that exercised it
    _unjudged: Counter = field(default_factory=Counter, compare=False, repr=False)
    _refused: Counter = field(default_factory=Counter, compare=False, repr=False)
    _trivial: Counter = field(default_factory=Counter, compare=False, repr=False)
    _judged: int = field(default=0, compare=False, repr=False)
    _exercised: int = field(default=0, compare=False, repr=False)
    _this_trivial: str | None = field(default=None, compare=False, repr=False)

    def note(self, text: str) -> None:
        """Record what the report should say of the check now running (once per text)."""
        if text not in self.notes:
            self.notes.append(text)

    def refused(self, reason: str) -> None:
        """The spec's reference refused the example now running (it raised ValueError: an input outside
        its domain): the example is discarded. A check whose every example was refused is *not
        checked*, naming the refusal: no verdict on the target, and never Hypothesis's own words."""
        self._refused[reason] += 1

    def cannot_judge(self, reason: str, cause: str) -> None:
        """An example the check cannot judge because ``cause`` (another check) fails on it."""
        self._unjudged[(reason, cause)] += 1

    def trivial(self, reason: str) -> None:
        """The example now running exercises nothing of the property (``reason``: e.g. a chain with no
        parametrized block, an empty output): judged, but not counted towards ``MIN_EXERCISED``."""
        if self._this_trivial is None:
            self._this_trivial = reason

    def begin_check(self, check_id: str, anchors: tuple = (), budget: float = 1.0) -> None:
        self.check_id, self.notes, self.causes, self.anchors, self.exercised = check_id, [], [], anchors, None
        self.budget = budget

    def hypothesis_settings(self) -> Callable[[F], F]:
        """Decorator for a check's ``@given`` test: the profile's settings, with what every check needs
        (no deadline, since the first call pays for imports and warm-up; no health check that would
        fail a slow *target* rather than a wrong one), and the run's seed when it has one. Distinct
        failures of one check are all reported (``report_multiple_bugs``): a block that raises on one
        input and computes wrong values on another shows both (``failures.merge_failures``)."""
        anchors = self.anchors
        base = self.settings if self.settings is not None else HypothesisSettings()
        # The anchor cases run first, in every profile; the random draw is shortened by as many, to no
        # less than half the profile's examples (of the check's budget: its share of the profile's).
        budgeted = max(round(base.max_examples * self.budget), 1)
        chosen = self.check_settings(max_examples=max(budgeted - len(anchors), budgeted // 2, 1))

        def apply(test: F) -> F:
            for anchor in reversed(anchors):  # Hypothesis runs explicit examples in the order listed
                test = example(data=anchor)(test)
            return self.prepared(chosen(test))

        return apply

    def check_settings(self, **overrides) -> "HypothesisSettings":
        """The settings ``hypothesis_settings`` applies (``overrides`` on top, e.g. a state machine's
        ``stateful_step_count``)."""
        base = self.settings if self.settings is not None else HypothesisSettings()
        return HypothesisSettings(base, deadline=None, report_multiple_bugs=True, suppress_health_check=[
            HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
            HealthCheck.differing_executors,
        ], **overrides)

    def prepared(self, test: F) -> F:
        """A ``@given`` test that already carries its settings, wired as every check's: examples
        counted, a database key per check, the run's seed, and *not checked* when no example could be
        judged because another check fails (``cannot_judge``)."""
        chosen = test._hypothesis_internal_use_settings  # type: ignore[attr-defined]
        inner = test.hypothesis.inner_test  # type: ignore[attr-defined]

        @functools.wraps(inner)  # Hypothesis names the test in its report
        def counted(*args, **kwargs):
            self.examples += 1
            return inner(*args, **kwargs)

        test.hypothesis.inner_test = counted  # type: ignore[attr-defined]
        if self.check_id is not None:
            # The example database's key, per check (the checks of one property share a function,
            # whose source digest Hypothesis would otherwise compute on every call, ~4 ms).
            key = f"nn-conformance:{self.scope}{self.check_id}"
            test._hypothesis_internal_database_key = key.encode()  # type: ignore
        if self.seed is not None:
            test = seed(self.seed)(test)
        elif chosen.derandomize:
            # What derandomize does (a seed fixed per test function), without Hypothesis hashing
            # the function's source on every call, which costs ~10 ms per check.
            test = seed(zlib.crc32(f"{inner.__module__}.{inner.__qualname__}".encode()))(test)
        return self._judging(test, counted)

    def _judging(self, test: F, inner: Callable) -> F:
        """Run ``test``, counting the examples it judged: when examples were left unjudged because
        another check fails on them (``cannot_judge``) and none was judged, the check is *not
        checked*; when some were, the report notes how many were not."""

        def judged(*args, **kwargs):
            self._this_trivial = None
            try:
                out = inner(*args, **kwargs)
            except UnsatisfiedAssumption:
                nothing = self.nothing_judged(GIVE_UP_UNJUDGED)
                if nothing is not None:
                    raise nothing from None  # a skip: Hypothesis stops, does not shrink
                raise
            self._judged += 1  # not reached when the example was rejected or failed
            if self._this_trivial is None:
                self._exercised += 1
            else:
                self._trivial[self._this_trivial] += 1
            return out

        test.hypothesis.inner_test = functools.wraps(inner)(judged)  # type: ignore[attr-defined]

        @functools.wraps(test)
        def run(*args, **kwargs):
            self._unjudged, self._trivial, self._judged, self._exercised = Counter(), Counter(), 0, 0
            self._refused = Counter()
            try:
                test(*args, **kwargs)
            except Unsatisfiable:  # every example was rejected: not checked, if for a cause or a refusal
                nothing = self.nothing_judged(1)
                if nothing is None:
                    raise
                raise nothing from None
            except EXCEPTION_GROUP as group:  # several distinct failures: one, listing the others
                merged = merge_failures(group)  # a Flaky one too: the target's failure, once seen, is a failure
                if merged is group or (isinstance(group, Flaky) and not isinstance(merged, CheckFailure)):
                    raise
                if isinstance(group, Flaky):
                    merged.add_note("(Hypothesis could not reproduce this failure on a second call with the same "
                                    "example: the target does not compute the same thing twice)")
                raise merged from merged.__cause__
            self.exercised = self._exercised
            if self._unjudged:
                (reason, cause), n = self._unjudged.most_common(1)[0]
                if self._judged == 0:
                    raise NotChecked(reason, cause)
                if self._exercised < min(MIN_EXERCISED, self._judged + sum(self._unjudged.values())):
                    raise NotChecked(f"the {self._judged} examples judged exercise nothing ("
                                     f"{self.trivial_reasons()}); in the others, {reason}", cause)
                if cause:
                    self.causes.append(cause)
                self.note(f"{self.check_id}: {sum(self._unjudged.values())} examples not judged: {reason}"
                          + (f" (see {cause})" if cause else ""))
            elif self._judged and self._exercised < min(MIN_EXERCISED, self._judged):
                raise NotChecked(f"no example exercised the property (of the {self._judged} judged, "
                                 f"{self.trivial_reasons()})")
            if self._refused:  # (said, not silent: numpy's own ValueError, an empty row's max, lands here too)
                reason, _ = self._refused.most_common(1)[0]
                self.note(f"{self.check_id}: {sum(self._refused.values())} examples not judged: the spec's "
                          f"reference refused them ({reason})")

        return run  # type: ignore[return-value]

    def nothing_judged(self, at_least: int) -> NotChecked | None:
        """*not checked*, when the running check judged no example and left at least ``at_least``
        unjudged because another check fails on them (that check its cause) or, with none such,
        had them all refused by the spec's reference; else None."""
        if self._judged:
            return None
        if sum(self._unjudged.values()) >= at_least:
            (reason, cause), _ = self._unjudged.most_common(1)[0]
            return NotChecked(reason, cause)
        refused = sum(self._refused.values())
        if not self._unjudged and refused >= at_least:
            reason, _ = self._refused.most_common(1)[0]
            return NotChecked(REFUSED_EVERY_EXAMPLE.format(n=refused, what=reason))
        return None

    def trivial_reasons(self) -> str:
        """How the judged examples that exercised nothing were trivial, most frequent first."""
        return "; ".join(f"{n} with {reason}" for reason, n in self._trivial.most_common())

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

    def precision(self, check_id: str, dtype: str, device: str | None = None) -> Precision:
        """The arithmetic judged for ``check_id`` in ``dtype`` on ``device`` (default: the run's)."""
        return precision_for(getattr(torch, dtype), device or self.device, self.widen.get(check_id, 1.0))

"""The pytest plugin's side of a run over several targets (``--impl A --impl B``, a glob, a directory):
one test per (target, check) pair, with the id ``label:check_id``; each pair runs in the child of
its target forked from the worker (``conformance.sandbox.forked``), and its outcome is raised in the worker
as the check itself would have raised it, so pytest, xdist, expected-failures marks and the reports
treat it as any check."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.core.failures import CheckFailure
from conformance.core.registry import Check
from conformance.execution.engine import run_in_pytest
from conformance.frontends.batch import pair_id
from conformance.reports.report import Result
from conformance.sandbox.forked import TargetPool

#: The user property (label) that marks a test as one pair of a run over several targets.
TARGET_PROPERTY = "conformance_target"
#: What an xdist worker sends the controller: label -> target_info of the targets it loaded.
INFOS_OUTPUT = "conformance_target_infos"


class LocalCheck:
    """One check of a run over one target, run in this process (the pytest or xdist worker) through
    the execution layer; what it raised is re-raised, so pytest reports the check's own exception."""

    label = None

    def __init__(self, check: Check) -> None:
        self.check = check
        self.id, self.block, self.property = check.id, check.block, check.property

    @property
    def pair(self) -> str:
        return self.check.id

    def __call__(self, ctx: Any) -> None:
        run_in_pytest(self.check, ctx)

    def __repr__(self) -> str:
        return f"<LocalCheck {self.id}>"


class PairCheck:
    """One check of one target in a run over several; parametrizes the suite's test functions
    (``conformance_check``) as a Check does, and has its id, block and property."""

    def __init__(self, label: str, spec: str, check: Check) -> None:
        self.label, self.spec, self.check = label, spec, check
        self.id, self.block, self.property = check.id, check.block, check.property

    @property
    def pair(self) -> str:
        return pair_id(self.label, self.check.id)

    def __call__(self, ctx: "PoolContext") -> None:
        result = ctx.pool.run(self.label, self.spec, self.check.id)
        ctx.examples += result.examples
        ctx.notes = list(result.notes)
        ctx.causes = [result.cause] if result.cause and result.status != "not checked" else []
        ctx.exercised = result.exercised
        raise_outcome(result)

    def __repr__(self) -> str:
        return f"<PairCheck {self.pair}>"


class RemoteFailure(CheckFailure):
    """A failure found in a target's child: its recorded parts, as a CheckFailure has them."""

    def __init__(self, result: Result) -> None:
        super().__init__(result.message)
        self.result = result

    def fields(self) -> dict[str, str]:
        r = self.result
        out: dict = {"reason": r.reason, "example": r.example, "snippet": r.snippet, "fact": r.fact}
        if r.also:
            out.update(also=list(r.also), also_facts=list(r.also_facts))
        if r.hypothesis:
            out["hypothesis"] = r.hypothesis
        return out


def raise_outcome(result: Result) -> None:
    """Pass, or raise what the check raised in the child (a skip with the same prefix for not
    provided / not checked, a failure with the same parts)."""
    if result.status == "passed":
        return
    if result.status in ("not provided", "not checked", "skipped"):
        raise pytest.skip.Exception(result.message, allow_module_level=True)
    raise RemoteFailure(result)


class PoolContext:
    """What the suite's test functions get as ``conformance_context`` in a run over several targets:
    the pool of target children, and the examples, notes and causes of the check that just ran."""

    def __init__(self, pool: TargetPool) -> None:
        self.pool = pool
        self.examples = 0
        self.notes: list[str] = []
        self.causes: list[str] = []
        self.exercised: int | None = None


def parametrize(targets: list[tuple[str, str]], checks: list[Check]) -> tuple[list[PairCheck], list[str]]:
    """The parameters and ids of a test function over every (target, check) pair, target-major."""
    pairs = [PairCheck(label, spec, check) for label, spec in targets for check in checks]
    return pairs, [p.pair for p in pairs]


def pair_of(item: pytest.Item) -> str | None:
    """The pair id of a test of the suite (``label:check_id``, or the bare check id), else None."""
    params: dict[str, Any] = getattr(getattr(item, "callspec", None), "params", {})
    value = params.get("conformance_check")
    if isinstance(value, (PairCheck, LocalCheck)):
        return value.pair
    return getattr(value, "id", None) if isinstance(value, Check) else None


def target_major(items: list[pytest.Item], labels: list[str]) -> None:
    """Order the tests target by target (stable within a target), so each worker keeps one target's
    child busy instead of forking a child per target per test module."""
    rank = {label: i for i, label in enumerate(labels)}

    def key(item: pytest.Item) -> int:
        params = getattr(getattr(item, "callspec", None), "params", {})
        value = params.get("conformance_check")
        return rank.get(value.label, -1) if isinstance(value, PairCheck) else -1

    items.sort(key=key)

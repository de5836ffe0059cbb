"""Run checks on a target and classify each outcome as a Result: see the package's docstring."""

from __future__ import annotations

import importlib
import pkgutil
import time
from typing import Any, Callable, Iterable, Iterator, Protocol

import pytest

from conformance.core.errors import UsageError
from conformance.core.failures import NotChecked, NotProvided, failure_fields
from conformance.core.registry import Check
from conformance.loading.target import Target
from conformance.reports.report import Result
from conformance.sandbox.timeouts import TargetTimeout, warm_up


class Expected(Protocol):
    """What running checks needs of an expected-failures file (``frontends.expected.Expectations``)."""

    source: str

    def outcome(self, check_id: str) -> tuple[str, str] | None: ...


def require_provided(selected: list[Check], target: Target, label: str) -> None:
    """A ``UsageError`` when the target defines the names of none of the selected checks: such a
    run would check nothing, and must not read as a pass."""
    if any(all(target.provides(name) for name in c.requires) for c in selected):
        return
    needed = sorted({name for c in selected for name in c.requires})
    raise UsageError(f"{label.format(repr(target.spec))} provides none of the selected checks: they need "
                     f"{', '.join(needed)}; it defines {', '.join(target.provided)}")


def _run(check: Check, ctx: Any) -> tuple[Result, BaseException | None]:
    """Run one check: its Result, and what it raised (None when it passed)."""
    if check.property not in NO_BACKWARD_PROPERTIES:
        warm_up()  # once per process, outside any time limit (preload may have done it)
    if check.property in OPTIMIZER_PROPERTIES:
        _first_optimizer_step()  # likewise
    start, examples_before = time.perf_counter(), ctx.examples
    status, message = "passed", ""
    fields: dict[str, Any] = {}
    raised: BaseException | None = None
    try:
        check(ctx)
    except NotProvided as exc:
        status, message, raised = "not provided", str(exc.msg if hasattr(exc, "msg") else exc), exc
        fields = {"reason": message}
    except NotChecked as exc:
        status, message, raised = "not checked", str(exc.msg), exc
        fields = {"reason": message.removeprefix(NotChecked.PREFIX), "cause": exc.cause or ""}
    except pytest.skip.Exception as exc:  # e.g. a device this machine lacks
        status, message, raised = "skipped", str(exc.msg if hasattr(exc, "msg") else exc), exc
        fields = {"reason": message}
    except TargetTimeout as exc:
        status, message, fields, raised = "failed", f"{check.id}: {exc}", failure_fields(exc), exc
    except AssertionError as exc:
        notes = "\n".join(getattr(exc, "__notes__", []))
        status, message, fields, raised = "failed", f"{exc}\n{notes}".strip(), failure_fields(exc), exc
    except Exception as exc:  # noqa: BLE001 - report, do not crash the run
        status, message, fields = "failed", f"{check.id}: {type(exc).__name__}: {exc}", failure_fields(exc)
        raised = exc
    fields.setdefault("cause", ctx.causes[0] if ctx.causes else "")
    result = Result(check.id, check.block, check.property, status, message, time.perf_counter() - start,
                    examples=ctx.examples - examples_before, exercised=ctx.exercised, notes=list(ctx.notes), **fields)
    return result, raised


def run_check(check: Check, ctx: Any) -> Result:
    """Run one check and classify its outcome; never raises for the target's behaviour."""
    return _run(check, ctx)[0]


def run_expected(check: Check, ctx: Any, expected: Expected | None = None, xfail_as_skip: bool = False) -> Result:
    """Run ``check`` as the expected-failures file says: skipped, expected to fail, or plainly."""
    outcome = expected.outcome(check.id) if expected else None
    if outcome and (outcome[0] == "skip" or xfail_as_skip):
        assert expected is not None  # an outcome comes from the expectations
        return Result(check.id, check.block, check.property, "skipped", outcome[1],
                      reason=f"{outcome[0]} in {expected.source}: {outcome[1]}")
    result = run_check(check, ctx)
    if outcome:  # an expected failure
        result.status = {"failed": "xfail", "passed": "xpass"}.get(result.status, result.status)
        result.message = f"expected to fail: {outcome[1]}\n{result.message}".strip()
        result.reason = f"expected to fail: {outcome[1]}" + (f"\n{result.reason}" if result.reason else "")
    return result


def execute(checks: Iterable[Check], ctx: Any, expected: Expected | None = None, xfail_as_skip: bool = False,
            on_start: Callable[[str], None] | None = None) -> Iterator[Result]:
    """Each of ``checks`` (read lazily: a child reads them from a pipe) run on ``ctx``'s target, as
    ``run_expected`` does, yielding its Result as it finishes; ``on_start`` is told each id first."""
    for check in checks:
        if on_start is not None:
            on_start(check.id)
        yield run_expected(check, ctx, expected, xfail_as_skip)


def run_in_pytest(check: Check, ctx: Any) -> Result:
    """A check run inside a pytest test (the plugin's, ``parametrize_with_checks``'): its Result, or
    what it raised, re-raised whole, so pytest (its xfail marks, tracebacks and reports) sees the
    check's own exception. Expected failures are pytest's marks there, not applied here."""
    result, raised = _run(check, ctx)
    if raised is not None:
        raise raised
    return result


#: The properties whose checks step a torch optimizer (the lifecycle's ``torch.optim.SGD``).
OPTIMIZER_PROPERTIES = frozenset({"lifecycle"})
#: The properties whose checks run no backward with an explicit upstream gradient (torch's first one
#: imports sympy, 0.25 s, which ``warm_up`` does outside any time limit): a process whose checks are
#: all of these never pays it (``tests/test_frontends.py`` holds the list to that).
NO_BACKWARD_PROPERTIES = frozenset({"forward", "structure", "strict"})


def preload(properties: Iterable[str] | None = None) -> None:
    """Import every module of the suite (and torch, Hypothesis), run torch's first backward where a
    check of ``properties`` (None: any) may run one and, where one steps an optimizer, its first
    optimizer step, once, before any check runs: a forked child then starts with it done, and every
    process that runs checks (a batch's child, a single target's worker, the API) has the same
    modules loaded when it draws.
    Hypothesis mixes constants found in the loaded local modules into its draws, so without this a
    seed would draw differently by the order checks ran in, by front-end, and by shard (the modules
    the optimizer step imports are torch's own, never local: the draws do not depend on it)."""
    import conformance
    import reference

    importlib.import_module("hypothesis")
    for package in (conformance, reference):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            leaf = module.name.rsplit(".", 1)[-1]
            if leaf.startswith("test_") or leaf == "__main__" or module.name.startswith("conformance.targets"):
                continue
            importlib.import_module(module.name)
    if properties is None or set(properties) - NO_BACKWARD_PROPERTIES:
        warm_up()
    if properties is None or OPTIMIZER_PROPERTIES.intersection(properties):
        _first_optimizer_step()


def properties_of(check_ids: Iterable[str]) -> set[str]:
    """The properties of the checks ``check_ids`` (what ``preload`` needs to know of a selection)."""
    from conformance.core.registry import all_checks

    by_id = {c.id: c.property for c in all_checks()}
    return {by_id[i] for i in check_ids if i in by_id}


_STEPPED = False


def _first_optimizer_step() -> None:
    """torch imports some 300 modules on an optimizer's first step (0.6 s here): done once before
    forking, not again in every target's child (the lifecycle checks step ``torch.optim.SGD``), and
    never in a process whose checks step none."""
    global _STEPPED
    if _STEPPED:
        return
    import torch

    p = torch.nn.Parameter(torch.ones(2))
    p.grad = torch.ones(2)
    torch.optim.SGD([p], lr=0.1, momentum=0.5, weight_decay=0.1).step()
    _STEPPED = True

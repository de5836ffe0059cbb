"""The Python API: run the checks without pytest, as scikit-learn's ``check_estimator`` does."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Iterable, Mapping

import pytest
from hypothesis import settings as hypothesis_settings

from . import profiles
from .context import CheckContext
from .expected import Expectations
from .failures import NotChecked, NotProvided, failure_fields
from .metadata import environment, new_seed, run_metadata
from .registry import Check, all_checks
from .report import Report, Result
from .runner_patterns import matches
from .target import Target, load_target
from .timeouts import DEFAULT_CALL_TIMEOUT_S, TargetTimeout


def select_checks(patterns: Iterable[str] | None = None) -> list[Check]:
    """All checks, or those matching one of ``patterns``."""
    checks = all_checks()
    if patterns is None:
        return checks
    patterns = list(patterns)
    return [c for c in checks if any(matches(p, c.id) for p in patterns)]


def run_check(check: Check, ctx: CheckContext) -> Result:
    """Run one check and classify its outcome; never raises for the target's behaviour."""
    start, examples_before = time.perf_counter(), ctx.examples
    status, message, fields = "passed", "", {}
    try:
        check(ctx)
    except NotProvided as exc:
        status, message = "not provided", str(exc.msg if hasattr(exc, "msg") else exc)
        fields = {"reason": message}
    except NotChecked as exc:
        status, message = "not checked", str(exc.msg)
        fields = {"reason": message.removeprefix(NotChecked.PREFIX), "cause": exc.cause or ""}
    except pytest.skip.Exception as exc:  # e.g. a device this machine lacks
        status, message = "skipped", str(exc.msg if hasattr(exc, "msg") else exc)
        fields = {"reason": message}
    except TargetTimeout as exc:
        status, message, fields = "failed", f"{check.id}: {exc}", failure_fields(exc)
    except AssertionError as exc:
        notes = "\n".join(getattr(exc, "__notes__", []))
        status, message, fields = "failed", f"{exc}\n{notes}".strip(), failure_fields(exc)
    except Exception as exc:  # noqa: BLE001 - report, do not crash the run
        status, message, fields = "failed", f"{check.id}: {type(exc).__name__}: {exc}", failure_fields(exc)
    fields.setdefault("cause", ctx.causes[0] if ctx.causes else "")
    return Result(check.id, check.block, check.property, status, message, time.perf_counter() - start,
                  examples=ctx.examples - examples_before, notes=list(ctx.notes), **fields)


def run(target: "str | Any | Mapping[str, Any] | Target | None" = None, *, checks: Iterable[str] | None = None,
        max_examples: int | None = None, profile: str | None = None, device: str = "cpu",
        call_timeout: float | None = DEFAULT_CALL_TIMEOUT_S, settings: hypothesis_settings | None = None,
        expected: "str | Path | Expectations | None" = None, strict_expected: bool = False,
        xfail_as_skip: bool = False, seed: int | None = None, threads: int | None = 1,
        names: Mapping[str, str] | None = None) -> Report:
    """Check ``target`` (a module, a mapping of names to factories, a module name or path, or an alias)
    and return a Report; ``print(report)`` shows the block x property matrix.

    ``checks`` selects by id (``*`` matches any run of characters); ``profile`` names a Hypothesis
    profile (default: ``ci`` when $CI is set, else ``dev``); ``settings`` overrides it entirely.
    ``expected``: an expected-failures file (see ``conformance.expected``): its xfails that fail are
    "xfail", that pass "xpass" (a failure of the run under ``strict_expected``); its skips are not run.
    ``seed``: the Hypothesis seed of every check (recorded in the report's metadata; a run with the
    same seed draws the same examples); default: a fresh one, or none under a derandomized profile.
    ``threads``: torch intra-op threads while a check runs (restored after); None leaves torch's setting.
    ``names``: the target's own names for contract names (``{"MLP": "Net", "Chimera": "chimera"}``),
    besides an expected-failures file's ``[names]``.
    """
    profiles.register()
    base = settings or hypothesis_settings.get_profile(profile or profiles.default_profile())
    if max_examples is not None:
        base = hypothesis_settings(base, max_examples=max_examples)
    expected = Expectations.resolve(expected, (c.id for c in all_checks()))
    resolved = load_target(target, names={**(expected.names if expected else {}), **(names or {})},
                           option="run(names=...)")
    selected = select_checks(checks)
    widen = expected.widen(c.id for c in selected) if expected else {}
    if seed is None and not base.derandomize:
        seed = new_seed()
    ctx = CheckContext(resolved, device=device, settings=base, call_timeout=call_timeout, widen=widen, seed=seed,
                       threads=threads)
    report = Report(metadata=run_metadata(
        environment(resolved, device, threads), profile=None if settings else (profile or profiles.default_profile()),
        max_examples=base.max_examples, seed=seed,
        expected=expected.source if expected else None, widened=widen, strict_expected=strict_expected,
        call_timeout=call_timeout))
    for check in selected:
        outcome = expected.outcome(check.id) if expected else None
        if outcome and (outcome[0] == "skip" or xfail_as_skip):
            assert expected is not None  # an outcome comes from the expectations
            report.results.append(Result(check.id, check.block, check.property, "skipped", outcome[1],
                                         reason=f"{outcome[0]} in {expected.source}: {outcome[1]}"))
            continue
        result = run_check(check, ctx)
        if outcome:  # an expected failure
            result.status = {"failed": "xfail", "passed": "xpass"}.get(result.status, result.status)
            result.message = f"expected to fail: {outcome[1]}\n{result.message}".strip()
            result.reason = f"expected to fail: {outcome[1]}" + (f"\n{result.reason}" if result.reason else "")
        report.results.append(result)
    return report

"""The Python API: run the checks without pytest, as scikit-learn's ``check_estimator`` does."""

from __future__ import annotations

import re
import time
from typing import Any, Iterable, Mapping

from hypothesis import settings as hypothesis_settings

from . import profiles
from .context import DEFAULT_CALL_TIMEOUT_S, CheckContext
from .failures import NotProvided
from .registry import Check, all_checks
from .report import Report, Result
from .target import Target, load_target
from .timeouts import TargetTimeout


def matches(pattern: str, check_id: str) -> bool:
    """A pattern is a check id in which ``*`` stands for any run of characters (``linear.*``,
    ``*.gradient[float64]``); every other character, brackets included, is literal."""
    return re.fullmatch(".*".join(map(re.escape, pattern.split("*"))), check_id) is not None


def select_checks(patterns: Iterable[str] | None = None) -> list[Check]:
    """All checks, or those matching one of ``patterns``."""
    checks = all_checks()
    if patterns is None:
        return checks
    patterns = list(patterns)
    return [c for c in checks if any(matches(p, c.id) for p in patterns)]


def run_check(check: Check, ctx: CheckContext) -> Result:
    """Run one check and classify its outcome; never raises for the target's behaviour."""
    start = time.perf_counter()
    status, message = "passed", ""
    try:
        check(ctx)
    except NotProvided as exc:
        status, message = "not provided", str(exc.msg if hasattr(exc, "msg") else exc)
    except TargetTimeout as exc:
        status, message = "failed", f"{check.id}: {exc}"
    except AssertionError as exc:
        notes = "\n".join(getattr(exc, "__notes__", []))
        status, message = "failed", f"{exc}\n{notes}".strip()
    except Exception as exc:  # noqa: BLE001 - report, do not crash the run
        status, message = "failed", f"{check.id}: {type(exc).__name__}: {exc}"
    return Result(check.id, check.block, check.property, status, message, time.perf_counter() - start)


def run(target: "str | Any | Mapping[str, Any] | Target | None" = None, *, checks: Iterable[str] | None = None,
        max_examples: int | None = None, profile: str | None = None, device: str = "cpu",
        call_timeout: float | None = DEFAULT_CALL_TIMEOUT_S, settings: hypothesis_settings | None = None) -> Report:
    """Check ``target`` (a module, a mapping of names to factories, a module name or path, or an alias)
    and return a Report; ``print(report)`` shows the block x property matrix.

    ``checks`` selects by id (exact, or a prefix ending in ``*``); ``profile`` names a Hypothesis
    profile (default: ``ci`` when $CI is set, else ``dev``); ``settings`` overrides it entirely.
    """
    profiles.register()
    base = settings or hypothesis_settings.get_profile(profile or profiles.default_profile())
    if max_examples is not None:
        base = hypothesis_settings(base, max_examples=max_examples)
    resolved = load_target(target)
    ctx = CheckContext(resolved, device=device, settings=base, call_timeout=call_timeout)
    report = Report(metadata={"target": resolved.name, "target_file": resolved.file,
                              "profile": profile or profiles.default_profile(), "max_examples": base.max_examples})
    for check in select_checks(checks):
        report.results.append(run_check(check, ctx))
    return report

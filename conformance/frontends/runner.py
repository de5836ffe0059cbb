"""The Python API: run the checks without pytest, as scikit-learn's ``check_estimator`` does."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any, Iterable, Mapping

from hypothesis import settings as hypothesis_settings

from conformance.core.context import CheckContext
from conformance.core.errors import UsageError, api_label
from conformance.core.registry import Check, all_checks
from conformance.database.store import spec_files
from conformance.drawing import profiles
from conformance.execution.engine import execute, preload, require_provided, run_check
from conformance.frontends.expected import Expectations
from conformance.frontends.runner_patterns import matches
from conformance.frontends.selection import select_checks
from conformance.loading.target import Target, load_target
from conformance.reports.header import header_lines, target_where
from conformance.reports.metadata import environment, new_seed, run_metadata
from conformance.reports.progress import MODES, Progress, choose_mode, isatty
from conformance.reports.report import Report
from conformance.sandbox.timeouts import DEFAULT_CALL_TIMEOUT_S, DEFAULT_MEMORY_LIMIT_GIB

__all__ = ["matches", "prepare", "require_provided", "run", "run_check", "select_checks"]


def prepare(where: str, target: Any, expected: "str | Path | Expectations | None", names: Mapping[str, str] | None,
            checks: Iterable[str] | None) -> tuple["Expectations | None", Target, list[Check], dict[str, str]]:
    """What ``run`` and ``parametrize_with_checks`` (``where``) both do first, with their usage errors:
    the expected-failures file, the target under its names (the file's ``[names]``, then ``names``),
    the selected checks, and the rule that the target provides at least one of them."""
    resolved_expected = Expectations.resolve(expected, (c.id for c in all_checks()), api_label(where, "expected"))
    all_names = {**(resolved_expected.names if resolved_expected else {}), **(names or {})}
    resolved = load_target(target, names=all_names, option=f"{where}(names=...)", label=api_label(where, "target"))
    selected = select_checks(checks, label=f"{where}(checks={checks!r})")
    require_provided(selected, resolved, api_label(where, "target"))
    return resolved_expected, resolved, selected, all_names


def run(target: "str | Any | Mapping[str, Any] | Target | None" = None, *, checks: Iterable[str] | None = None,
        max_examples: int | None = None, profile: str | None = None, device: str = "cpu",
        call_timeout: float | None = DEFAULT_CALL_TIMEOUT_S, settings: hypothesis_settings | None = None,
        expected: "str | Path | Expectations | None" = None, strict_expected: bool = False,
        xfail_as_skip: bool = False, seed: int | None = None, threads: int | None = 1,
        names: Mapping[str, str] | None = None, progress: str = "auto", quiet: bool = False,
        stream: IO[str] | None = None, isolate: bool | None = None,
        memory_limit: float | None = DEFAULT_MEMORY_LIMIT_GIB, unwrap: bool | None = None,
        spec: "str | Path | Iterable[str | Path] | None" = None) -> Any:
    """Check ``target`` (a module, a mapping of names to factories, a module name or path, or an alias)
    and return a Report; ``print(report)`` shows the block x property matrix.

    A list of targets (each as above; a string may also be a glob or a directory of .py files) is
    checked in one run, each target in a child forked from this process (``conformance.frontends.run_many``),
    and gives a ``BatchReport``: each target's Report, the summary, one JSON section per target.

    ``checks`` selects by id (``*`` matches any run of characters); ``profile`` names a Hypothesis
    profile (default: ``ci`` when $CI is set, else ``dev``); ``settings`` overrides it entirely.
    ``expected``: an expected-failures file (see ``conformance.frontends.expected``): its xfails that fail are
    "xfail", that pass "xpass" (a failure of the run under ``strict_expected``); its skips are not run.
    ``seed``: the Hypothesis seed of every check (recorded in the report's metadata; a run with the
    same seed draws the same examples); default: a fresh one, or none under a derandomized profile.
    ``threads``: torch intra-op threads while a check runs (restored after); None leaves torch's setting.
    ``names``: the target's own names for contract names (``{"MLP": "Net", "Chimera": "chimera"}``),
    besides an expected-failures file's ``[names]``.
    ``spec``: files declaring blocks of the user's own (``conformance.database.declare``), checked like
    the chapter's for this run (``--spec FILE``).
    ``unwrap=True``: a wrapped block (compiled, parametrized, pruned, a library wrapper) has its layout
    judged by the module inside (``--unwrap``); its behaviour is judged through its forward either way.
    ``stream`` (default ``sys.stderr``) gets the header and, per ``progress`` ("auto": a bar on a
    terminal, a line per check otherwise, nothing when $CI is set; "bar", "lines", "off"), each
    check as it finishes; ``quiet=True`` prints nothing.
    ``isolate=True``: the checks run in a child process (the target given by name or path), so a
    target that ends the process (even with status 0), is killed, hangs where no signal reaches or
    exhausts memory (``memory_limit`` GiB of address space; None or 0: no limit) fails the check it
    was running, and the rest go on in a fresh child. Costs one interpreter start-up (torch, the
    target) per child. Default (None): isolated when the target is given by name or path, in this
    process when it is a module object or mapping (a child cannot load those; ``os._exit`` and
    ``sys.exit`` still fail the check, a hang is still stopped by ``call_timeout``).

    Raises ``conformance.UsageError`` (nothing is checked) when the target cannot be used or
    provides none of the selected checks, when a pattern of ``checks`` or an entry of ``expected``
    matches no check id (naming the nearest ids), or when every selected check is skipped.
    """
    if progress not in MODES:
        raise UsageError(f"run(progress={progress!r}): use one of {', '.join(map(repr, MODES))}")
    from conformance.database.store import using

    with using(spec):
        return _run(target, checks=checks, max_examples=max_examples, profile=profile, device=device,
                    call_timeout=call_timeout, settings=settings, expected=expected, strict_expected=strict_expected,
                    xfail_as_skip=xfail_as_skip, seed=seed, threads=threads, names=names, progress=progress,
                    quiet=quiet, stream=stream, isolate=isolate, memory_limit=memory_limit, unwrap=unwrap)


def _run(target: Any, *, checks: Iterable[str] | None, max_examples: int | None, profile: str | None, device: str,
         call_timeout: float | None, settings: hypothesis_settings | None,
         expected: "str | Path | Expectations | None", strict_expected: bool, xfail_as_skip: bool, seed: int | None,
         threads: int | None, names: Mapping[str, str] | None, progress: str, quiet: bool, stream: IO[str] | None,
         isolate: bool | None, memory_limit: float | None, unwrap: bool | None) -> Any:
    """``run`` with the user's declared blocks registered."""
    if isinstance(target, (list, tuple)):
        from conformance.frontends.run_many import run_many

        return run_many(target, checks=checks, max_examples=max_examples, profile=profile, device=device,
                        call_timeout=call_timeout, settings=settings, expected=expected,
                        strict_expected=strict_expected, xfail_as_skip=xfail_as_skip, seed=seed, threads=threads,
                        names=names, progress=progress, quiet=quiet, stream=stream, memory_limit=memory_limit,
                        unwrap=unwrap)
    if isolate is None:
        isolate = isinstance(target, (str, Path)) or (target is None)
    if isolate and not isinstance(target, (str, Path, type(None))):
        raise UsageError("run(isolate=True) needs the target as a module name, a path or an alias (the child "
                         f"process loads it by that name), not {type(target).__name__}")
    profiles.register()
    base = settings or hypothesis_settings.get_profile(profile or profiles.default_profile())
    if max_examples is not None:
        base = hypothesis_settings(base, max_examples=max_examples)
    expected, resolved, selected, all_names = prepare("run", target, expected, names, checks)
    if unwrap is not None:
        resolved = load_target(resolved, unwrap=unwrap)
    if expected and all((expected.outcome(c.id) or ("",))[0] == "skip" or (xfail_as_skip and expected.outcome(c.id))
                        for c in selected):
        raise UsageError(f"run(expected={expected.source!r}) skips every selected check: nothing would be checked")
    widen = expected.widen(c.id for c in selected) if expected else {}
    if seed is None and not base.derandomize:
        seed = new_seed()
    if not isolate:
        # the modules every process that runs checks has loaded (the same draws for a seed)
        preload({c.property for c in selected})
    ctx = CheckContext(resolved, device=device, settings=base, call_timeout=call_timeout, widen=widen, seed=seed,
                       threads=threads)
    report = Report(metadata=run_metadata(
        environment(resolved, device, threads), profile=None if settings else (profile or profiles.default_profile()),
        max_examples=base.max_examples, seed=seed,
        expected=expected.source if expected else None, widened=widen, strict_expected=strict_expected,
        call_timeout=call_timeout))
    out = stream or sys.stderr
    mode = "off" if quiet else choose_mode(progress, isatty(out))
    if not quiet:
        meta = report.metadata
        out.write("\n".join(header_lines(
            str(resolved.spec), target_where(resolved),
            profile=meta["profile"], max_examples=meta["max_examples"], device=device, seed=seed,
            replay=f"conformance.run(..., seed={seed})")) + "\n")
        out.flush()
    shown = Progress(mode, lambda text: (out.write(text), out.flush()) and None, total=len(selected))
    try:
        if isolate:
            from conformance.sandbox.isolation import run_isolated

            job = {"target": resolved.spec, "names": all_names, "unwrap": resolved.unwrap,
                   "device": device, "settings": base, "call_timeout": call_timeout, "widen": widen, "seed": seed,
                   "threads": threads, "expected": expected, "xfail_as_skip": xfail_as_skip,
                   "memory_limit": memory_limit, "specs": spec_files()}
            report.results.extend(run_isolated(job, [c.id for c in selected], shown.start,
                                               lambda r: shown.finish(r.id, r.status, r.duration)))
        else:
            for result in execute(selected, ctx, expected, xfail_as_skip, shown.start):
                report.results.append(result)
                shown.finish(result.id, result.status, result.duration)
    finally:
        shown.close()
    return report

"""``conformance.run([A, B, ...])``: the Python API over several targets, returning a BatchReport.
Each target is loaded and checked in a child forked from the calling process (``conformance.sandbox.forked``),
so torch is imported once, and no target can change another's verdicts or end the caller's process."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType
from typing import IO, Any, Iterable, Mapping

from hypothesis import settings as hypothesis_settings

from conformance.core.errors import UsageError, api_label
from conformance.drawing import profiles
from conformance.frontends.expected import Expectations
from conformance.loading.target import Target
from conformance.reports.combined import TARGET_KEYS, BatchReport
from conformance.reports.header import header_lines
from conformance.reports.metadata import environment, new_seed, run_metadata
from conformance.reports.progress import Progress, choose_mode, isatty
from conformance.reports.report import Report


def _targets(targets: Iterable[Any]) -> list[tuple[str, Any]]:
    """(label, spec) per target: strings expanded as ``--impl`` values are (globs, directories)."""
    from conformance.frontends.batch import expand, labels

    given = list(targets)
    if not given:
        raise UsageError("run(target=[]): an empty list names no target")
    specs: list[Any] = []
    for value in given:
        if isinstance(value, (str, Path)):
            specs += [s for s in expand([str(value)], ".", option="run(target=...)") if s not in specs]
        else:
            specs.append(value)
    strings = [s for s in specs if isinstance(s, str)]
    named = dict(zip(strings, labels(strings), strict=True))
    out: list[tuple[str, Any]] = []
    for i, spec in enumerate(specs):
        if isinstance(spec, str):
            out.append((named[spec], spec))
        elif isinstance(spec, ModuleType):
            out.append((spec.__name__.replace(":", "_"), spec))
        elif isinstance(spec, Target):
            out.append((str(spec.spec).replace(":", "_"), spec))
        else:
            out.append((f"target{i + 1}", spec))
    seen = [label for label, _ in out]
    clash = sorted({label for label in seen if seen.count(label) > 1})
    if clash:
        raise UsageError(f"run(target=[...]): two targets would both be labelled {clash[0]!r}; name each once")
    return out


def run_many(targets: Iterable[Any], *, checks: Iterable[str] | None = None, max_examples: int | None = None,
             profile: str | None = None, device: str = "cpu", call_timeout: float | None = None,
             settings: hypothesis_settings | None = None, expected: "str | Path | Expectations | None" = None,
             strict_expected: bool = False, xfail_as_skip: bool = False, seed: int | None = None,
             threads: int | None = 1, names: Mapping[str, str] | None = None, progress: str = "auto",
             quiet: bool = False, stream: IO[str] | None = None, memory_limit: float | None = None,
             unwrap: bool | None = None) -> BatchReport:
    """What ``conformance.run`` does for a list of targets (same options; see its docstring)."""
    from conformance.core.registry import all_checks
    from conformance.frontends.selection import select_checks
    from conformance.sandbox.forked import TargetPool, run_all

    pairs = _targets(targets)
    profiles.register()
    base = settings or hypothesis_settings.get_profile(profile or profiles.default_profile())
    if max_examples is not None:
        base = hypothesis_settings(base, max_examples=max_examples)
    resolved_expected = Expectations.resolve(expected, (c.id for c in all_checks()), api_label("run", "expected"))
    selected = select_checks(checks, label=f"run(checks={checks!r})")
    widen = resolved_expected.widen(c.id for c in selected) if resolved_expected else {}
    if seed is None and not base.derandomize:
        seed = new_seed()
    all_names = {**(resolved_expected.names if resolved_expected else {}), **(names or {})}
    chosen = None if settings else (profile or profiles.default_profile())
    shared = run_metadata(environment({}, device, threads), profile=chosen,
                          max_examples=base.max_examples, seed=seed,
                          expected=resolved_expected.source if resolved_expected else None, widened=widen,
                          strict_expected=strict_expected, call_timeout=call_timeout)
    out = stream or sys.stderr
    mode = "off" if quiet else choose_mode(progress, isatty(out))
    if not quiet:
        out.write("\n".join(header_lines(
            ", ".join(label for label, _ in pairs), f"{len(pairs)} targets, each checked in a process of its own",
            profile=shared["profile"], max_examples=shared["max_examples"], device=device, seed=seed,
            replay=f"conformance.run(..., seed={seed})")) + "\n")
        out.flush()
    shown = Progress(mode, lambda text: (out.write(text), out.flush()) and None, total=len(pairs) * len(selected))
    pool = TargetPool({"names": all_names, "names_option": "run(names=...)", "label": api_label("run", "target"),
                       "device": device, "settings": base, "call_timeout": call_timeout, "widen": widen, "seed": seed,
                       "threads": threads, "expected": resolved_expected, "xfail_as_skip": xfail_as_skip,
                       "memory_limit": memory_limit, "unwrap": bool(unwrap),
                       "properties": {c.property for c in selected}})
    try:
        results = run_all(pool, pairs, [c.id for c in selected], shown.start,
                          lambda label, r: shown.finish(f"{label}:{r.id}", r.status, r.duration))
    finally:
        pool.close()
        shown.close()
    reports = {}
    for label, spec in pairs:
        info = pool.infos.get(label) or {"target": label, "target_spec": str(spec), "target_file": None,
                                         "target_version": None, "provides": None}
        reports[label] = Report(results[label], {k: info.get(k) for k in TARGET_KEYS})
    return BatchReport(reports, {k: v for k, v in shared.items() if k not in TARGET_KEYS})

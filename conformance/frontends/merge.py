"""``python -m conformance merge shard*.json [--report all.json] [--report-md all.md]``: join the
``--report`` files of the N shards of one run (``--shard K/N``) into the report the unsharded run
writes: the same ids, verdicts, seeds and metadata (less the shard). Prints the matrix; exit status 0
when the merged run is green, 1 when it is not, 4 (a usage error, one ``ERROR:`` line) when the files
are not the shards of one run: different settings, seeds, targets or selection, a shard given twice
or missing, a pair in two shards or in none."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from conformance.core.errors import UsageError
from conformance.frontends.batch import pair_id
from conformance.frontends.usage import check_writable
from conformance.reports.combined import BatchReport, report_from_dict
from conformance.reports.report import Report

#: Metadata that may differ between the shards of one run (where and how each shard ran).
PER_SHARD = ("shard", "workers", "platform")


def _load(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"merge: cannot read {path!r}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UsageError(f"merge: {path!r} is not JSON: {exc}") from None
    if not isinstance(data, dict) or "metadata" not in data or not ("results" in data or "targets" in data):
        raise UsageError(f"merge: {path!r} is not a conformance --report file")
    if not isinstance(data["metadata"].get("shard"), dict):
        raise UsageError(f"merge: {path!r} is the report of a whole run, not of a shard (--shard K/N)")
    return data


def _pairs(report: "Report | BatchReport") -> list[str]:
    if isinstance(report, BatchReport):
        return [pair_id(label, r.id) for label, part in report.targets.items() for r in part.results]
    return [r.id for r in report.results]


def _settings(metadata: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in metadata.items() if k not in PER_SHARD}


def merge(paths: list[str]) -> "Report | BatchReport":
    """The report of the whole run whose shards' reports are ``paths``; a ``UsageError`` unless they
    are exactly the N shards of one run."""
    if not paths:
        raise UsageError("merge: give the --report files of the shards (python -m conformance merge shard*.json)")
    loaded = [(p, _load(p)) for p in paths]
    first_path, first = loaded[0]
    shard0 = first["metadata"]["shard"]
    count = shard0["count"]
    seen: dict[int, str] = {}
    for path, data in loaded:
        shard = data["metadata"]["shard"]
        if (shard["count"], shard["selection"], shard["pairs"]) != (count, shard0["selection"], shard0["pairs"]):
            raise UsageError(f"merge: {path!r} is shard {shard['index']}/{shard['count']} of another run or selection "
                             f"than {first_path!r} (shard {shard0['index']}/{count}): its checks or targets differ")
        if _settings(data["metadata"]) != _settings(first["metadata"]):
            differ = sorted(k for k in set(_settings(data["metadata"])) | set(_settings(first["metadata"]))
                            if data["metadata"].get(k) != first["metadata"].get(k))
            raise UsageError(f"merge: {path!r} and {first_path!r} are shards of runs with different settings "
                             f"({', '.join(differ)}): merge only the shards of one run")
        if ("targets" in data) != ("targets" in first) or set(data.get("targets", {})) != set(first.get("targets", {})):
            raise UsageError(f"merge: {path!r} and {first_path!r} check different targets")
        if shard["index"] in seen:
            raise UsageError(f"merge: shard {shard['index']}/{count} given twice ({seen[shard['index']]!r} and "
                             f"{path!r}): the shards overlap")
        seen[shard["index"]] = path
    missing = [k for k in range(1, count + 1) if k not in seen]
    if missing:
        raise UsageError(f"merge: missing shard{'s' if len(missing) > 1 else ''} "
                         f"{', '.join(f'{k}/{count}' for k in missing)}: give all {count} shards' reports")
    reports = [report_from_dict(data) for _, data in loaded]
    owner: dict[str, str] = {}
    for (path, _), report in zip(loaded, reports, strict=True):
        for pair in _pairs(report):
            if pair in owner:
                raise UsageError(f"merge: {pair} is in both {owner[pair]!r} and {path!r}: the shards overlap")
            owner[pair] = path
    if len(owner) != shard0["pairs"]:
        raise UsageError(f"merge: the shards hold {len(owner)} of the run's {shard0['pairs']} checks: a shard's "
                         "report is incomplete (did its run end early?)")
    return _join(reports, first["metadata"])


def _join(reports: list[Any], metadata: dict[str, Any]) -> "Report | BatchReport":
    from conformance.core.registry import all_checks

    order = [c.id for c in all_checks()]
    shared = {k: v for k, v in metadata.items() if k != "shard"}
    workers = {r.metadata.get("workers") for r in reports}
    shared["workers"] = workers.pop() if len(workers) == 1 else None
    if isinstance(reports[0], Report):
        out = Report([r for part in reports for r in part.results], shared)
        out.sort(order)
        return out
    targets: dict[str, Report] = {}
    for label in reports[0].targets:
        parts = [part.targets[label] for part in reports]
        known = [p.metadata for p in parts if p.metadata.get("provides") is not None] or [parts[0].metadata]
        joined = Report([r for p in parts for r in p.results], dict(known[0]))
        joined.sort(order)
        targets[label] = joined
    return BatchReport(targets, shared)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance merge", description=__doc__.split("\n\n")[0])
    parser.add_argument("shards", nargs="*", metavar="SHARD.json")
    parser.add_argument("--report", metavar="FILE.json", help="write the merged JSON report")
    parser.add_argument("--report-md", metavar="FILE.md", help="write the merged Markdown report")
    args = parser.parse_args(argv)
    try:
        for option, path in (("--report", args.report), ("--report-md", args.report_md)):
            if path:
                check_writable(path, option, ".")
        merged = merge(args.shards)
    except UsageError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 4
    if args.report:
        merged.write_json(args.report)
    if args.report_md:
        merged.write_markdown(args.report_md)
    print(merged)
    return 0 if merged.ok else 1

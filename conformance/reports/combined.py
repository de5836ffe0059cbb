"""The report of a run over several targets: each target's Report (its block x property matrix),
a summary of targets x properties, and the run's shared metadata (versions, profile, seed, device,
limits). The JSON has one section per target beside the shared metadata; the Markdown, made for a CI
job summary, has the summary table first, then each target's matrix and failures. The run is red when
any target fails, could not be loaded, or provides none of the selected checks."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.core.errors import LOAD_ERROR
from conformance.reports.matrix import LABELS, PROBLEMS, ordered_statuses, render_markdown, render_terminal, wrap_items
from conformance.reports.report import Report, Result

#: A target's own metadata keys; every other key of a run's metadata is shared by all its targets.
TARGET_KEYS = ("target", "target_spec", "target_file", "target_version", "provides")
#: The order of severity in which a summary cell shows the statuses of one target's property.
_WORST = ("failed", "xpass", "not checked", "xfail", "passed", "skipped", "not provided")


def split_metadata(metadata: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(shared, the target's own) parts of a single-target run's metadata."""
    return ({k: v for k, v in metadata.items() if k not in TARGET_KEYS},
            {k: metadata[k] for k in TARGET_KEYS if k in metadata})


@dataclass
class BatchReport:
    """``targets``: label -> that target's Report (its metadata: the target's own keys only)."""

    targets: dict[str, Report] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    def error(self, label: str) -> str | None:
        """Why target ``label`` was not judged at all: it could not be loaded, or provides none of
        the selected checks (both make the run red); None when it was judged."""
        results = self.targets[label].results
        loading = [r for r in results if r.reason.startswith(LOAD_ERROR)]
        if results and len(loading) == len(results):
            return loading[0].reason
        if results and all(r.status == "not provided" for r in results):
            provides = self.targets[label].metadata.get("provides")
            return (f"provides none of the {len(results)} selected checks (all not provided)"
                    + (f"; it defines {', '.join(provides)}" if provides else ""))
        return None

    def target_ok(self, label: str) -> bool:
        """No failure (nor XPASS under ``strict_expected``), no unconfirmed *not checked*, no error."""
        report = self.targets[label]
        bad = PROBLEMS if self.metadata.get("strict_expected") else PROBLEMS[:1]
        return (not any(r.status in bad for r in report.results) and not report.unconfirmed()
                and self.error(label) is None)

    @property
    def ok(self) -> bool:
        return all(self.target_ok(label) for label in self.targets)

    def counts(self) -> dict[str, Counter]:
        return {label: report.counts() for label, report in self.targets.items()}

    def _cells(self) -> list[Result]:
        """One pseudo-result per (target, property): the target as the block, the worst status."""
        out: list[Result] = []
        for label, report in self.targets.items():
            seen: dict[str, list[str]] = {}
            for r in report.results:
                seen.setdefault(r.property, []).append(r.status)
            for prop, statuses in seen.items():
                worst = min(statuses, key=lambda s: _WORST.index(s) if s in _WORST else len(_WORST))
                out.append(Result(f"{label}.{prop}", label, prop, worst))
        return out

    def summary_lines(self, width: int = 100) -> list[str]:
        """Targets x properties (each cell: the worst status of that target's checks of it), then one
        line per target: its verdict and counts."""
        lines = ["targets x properties (each cell the worst status of its checks):",
                 render_terminal(self._cells(), width, corner="target"), ""]
        wide = max((len(label) for label in self.targets), default=0)
        for label, report in self.targets.items():
            verdict = "ERROR" if self.error(label) else ("ok" if self.target_ok(label) else "FAIL")
            verdict = verdict if report.results else "-"  # none of its checks ran (-x stopped the run first)
            lines.append(f"{label.ljust(wide)}  {verdict:5}  {report.summary()}")
        red = [label for label in self.targets if not self.target_ok(label)]
        unrun = sum(1 for label, report in self.targets.items() if not report.results and label not in red)
        head = (f"{len(self.targets)} targets: {len(self.targets) - len(red) - unrun} ok, {len(red)} not ok"
                + (f", {unrun} with no check run" if unrun else ""))
        lines += wrap_items(head + ":", red, width) if red else [head]
        return lines

    def render(self, width: int = 100) -> str:
        lines: list[str] = []
        for label, report in self.targets.items():
            meta = report.metadata
            lines += ["", f"== target {label} ({meta.get('target_spec') or label}; "
                          f"{meta.get('target_file') or 'no file'}) =="]
            error = self.error(label)
            lines += [f"ERROR: {error}"] if error else report.render(width).splitlines()
        lines += ["", "== all targets =="] + self.summary_lines(width)
        return "\n".join(lines).lstrip("\n")

    def __str__(self) -> str:
        return self.render()

    def to_dict(self) -> dict[str, Any]:
        return {"metadata": self.metadata,
                "summary": {label: {"ok": self.target_ok(label), "error": self.error(label),
                                    **{s: n for s, n in report.counts().items()}}
                            for label, report in self.targets.items()},
                "targets": {label: {**report.to_dict(), "error": self.error(label)}
                            for label, report in self.targets.items()}}

    def write_json(self, path: "str | Path") -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2, default=str) + "\n", encoding="utf-8")

    def to_markdown(self) -> str:
        m = self.metadata
        seed = "derandomized" if m.get("hypothesis_seed") is None else m["hypothesis_seed"]
        lines = [f"### Conformance of {len(self.targets)} targets", "",
                 f"conformance {m.get('suite_version', '?')}, torch {m.get('torch', '?')}, profile "
                 f"`{m.get('profile')}`, seed `{seed}`, device `{m.get('device', 'cpu')}`", ""]
        statuses = ordered_statuses(s for c in self.counts().values() for s in c)
        lines += ["| target | verdict | " + " | ".join(LABELS.get(s, s) for s in statuses) + " |",
                  "|---|---|" + "---|" * len(statuses)]
        for label, counts in self.counts().items():
            verdict = "ERROR" if self.error(label) else ("ok" if self.target_ok(label) else "FAIL")
            lines.append(f"| `{label}` | {verdict} | " + " | ".join(str(counts[s]) for s in statuses) + " |")
        every = [Result(r.id, label, r.property, r.status) for label, report in self.targets.items()
                 for r in report.results]
        lines += ["", "Targets x properties (counts by status):", "", render_markdown(every, corner="target"), ""]
        for label, report in self.targets.items():
            error = self.error(label)
            body = (f"ERROR: {error}\n" if error else
                    report.to_markdown().split("\n\n", 2)[2])  # its matrix, without its heading and versions
            problems = "" if error or not any(r.status in PROBLEMS for r in report.results) else " (failures below)"
            lines += [f"<details><summary><code>{label}</code>: {report.summary()}{problems}</summary>", "",
                      body.replace("|", "\\|") if error else body, "</details>", ""]
        return "\n".join(lines)

    def write_markdown(self, path: "str | Path") -> None:
        Path(path).write_text(self.to_markdown(), encoding="utf-8")


def report_from_dict(data: dict[str, Any]) -> "Report | BatchReport":
    """A Report or BatchReport from its ``to_dict`` (a ``--report`` file)."""
    if "targets" in data:
        targets = {label: Report([Result(**r) for r in section["results"]], dict(section["metadata"]))
                   for label, section in data["targets"].items()}
        return BatchReport(targets, dict(data["metadata"]))
    return Report([Result(**r) for r in data["results"]], dict(data["metadata"]))

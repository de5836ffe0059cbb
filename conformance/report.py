"""Results of a run and the block x property matrix every front-end ends with."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: Statuses, in the order a matrix cell lists them.
STATUSES = ("failed", "xpass", "passed", "xfail", "not checked", "skipped", "not provided")
#: Matrix columns, in this order (properties not listed follow in order of appearance).
PROPERTY_ORDER = ("forward", "gradient", "gradcheck", "structure", "bad_input", "independence", "container", "access",
                  "buffers", "termination", "tying", "saveload", "strict", "tensors", "init", "function", "apply",
                  "reproducible")
SHORT = {"failed": "FAIL", "xpass": "XPASS", "passed": "pass", "xfail": "xfail", "skipped": "skip",
         "not provided": "n/p", "not checked": "n/c"}


@dataclass
class Result:
    """One check's outcome. For a failure: ``reason`` (what is wrong, expected vs actual), ``example``
    (the shrunk example, described), ``snippet`` (copy-paste reproduction) and ``hypothesis`` (its
    notes: falsifying example, replay blob); ``message`` is the whole text as pytest shows it."""

    id: str
    block: str
    property: str
    status: str
    message: str = ""
    duration: float = 0.0
    reason: str = ""
    example: str = ""
    snippet: str = ""
    hypothesis: str = ""
    examples: int = 0  # Hypothesis examples the check executed
    notes: list[str] = field(default_factory=list)  # how the block was built and judged (fixed sizes, lazy, ...)
    cause: str = ""    # not checked, or examples left unjudged: the check whose failure this relies on


@dataclass
class Report:
    """What ``conformance.run`` returns: one Result per check, plus the run's metadata."""

    results: list[Result] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """No failure (and, under ``strict_expected``, no expected failure that passed), and no check
        left *not checked* (or partly unjudged) by a failure the run does not show."""
        bad = ("failed", "xpass") if self.metadata.get("strict_expected") else ("failed",)
        return not any(r.status in bad for r in self.results) and not self.unconfirmed()

    def unconfirmed(self) -> list[Result]:
        """Results that rely on another check failing (``cause``) when that check did not fail in
        this run (it passed, or was not selected): such a run must not end green."""
        return unconfirmed(self.results)

    def notes(self) -> dict[str, list[str]]:
        """Per block, what the report says of how it was built and judged (each note once)."""
        out: dict[str, list[str]] = {}
        for r in self.results:
            for note in r.notes:
                if note not in out.setdefault(r.block, []):
                    out[r.block].append(note)
        return {block: notes for block, notes in out.items() if notes}

    def counts(self) -> Counter:
        return Counter(r.status for r in self.results)

    def failed(self) -> list[Result]:
        return [r for r in self.results if r.status == "failed"]

    def matrix(self) -> str:
        return render_matrix(self.results)

    def sort(self, order: list[str]) -> None:
        """Put the results in registry order (so reports do not depend on which worker ran what)."""
        rank = {check_id: i for i, check_id in enumerate(order)}
        self.results.sort(key=lambda r: (rank.get(r.id, len(rank)), r.id))

    def to_dict(self) -> dict[str, Any]:
        return {"metadata": self.metadata, "summary": {s: n for s, n in self.counts().items()},
                "results": [asdict(r) for r in self.results]}

    def write_json(self, path: "str | Path") -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2, default=str) + "\n", encoding="utf-8")

    def to_markdown(self) -> str:
        """The matrix as Markdown, headed by the target and versions, followed by one line per failure."""
        m = self.metadata
        seed = "derandomized" if m.get("hypothesis_seed") is None else m["hypothesis_seed"]
        head = (f"### Conformance of `{m.get('target', '?')}`"
                + (f" {m['target_version']}" if m.get("target_version") else "") + "\n\n"
                f"conformance {m.get('suite_version', '?')}, torch {m.get('torch', '?')}, "
                f"profile `{m.get('profile')}`, seed `{seed}`, device `{m.get('device', 'cpu')}`\n\n")
        lines = [head + render_matrix(self.results, markdown=True)]
        problems = [r for r in self.results if r.status in ("failed", "xpass")]
        if problems:
            lines.append("| check | status | reason |\n|---|---|---|")
            for r in problems:
                first = (r.reason or r.message or "").strip().splitlines()
                lines.append(f"| `{r.id}` | {r.status} | {(first[0] if first else '').replace('|', '/')} |")
        return "\n".join(lines) + "\n"

    def write_markdown(self, path: "str | Path") -> None:
        Path(path).write_text(self.to_markdown(), encoding="utf-8")

    def __str__(self) -> str:
        widened = self.metadata.get("widened") or {}
        source = self.metadata.get("expected") or "expected-failures file"
        note = "".join(f"\ntolerance widened x{f:g} for {i} ({source})" for i, f in widened.items())
        return self.matrix() + note + "".join("\n" + line for line in notes_lines(self.results))


def unconfirmed(results: list[Result]) -> list[Result]:
    """Results whose ``cause`` did not fail (nor fail as expected) among ``results``."""
    failed = {r.id for r in results if r.status in ("failed", "xfail")}
    return [r for r in results if r.cause and r.cause not in failed]


def notes_lines(results: list[Result]) -> list[str]:
    """The notes of a run (how blocks were built and judged), then any result not confirmed by a failure."""
    lines: list[str] = []
    seen: set[str] = set()
    for r in results:
        for note in r.notes:
            if note not in seen:
                seen.add(note)
                lines.append(f"note: {note}")
    for r in unconfirmed(results):
        lines.append(f"ERROR: {r.id} is {r.status} because {r.cause} should fail, but {r.cause} did not fail in "
                     "this run (run it too); the run cannot be green")
    return lines


def _cells(results: list[Result]) -> tuple[list[str], list[str], dict[tuple[str, str], Counter]]:
    blocks: list[str] = []
    props: list[str] = []
    cells: dict[tuple[str, str], Counter] = {}
    for r in results:
        if r.block not in blocks:
            blocks.append(r.block)
        if r.property not in props:
            props.append(r.property)
        cells.setdefault((r.block, r.property), Counter())[r.status] += 1
    rank = {p: i for i, p in enumerate(PROPERTY_ORDER)}
    props.sort(key=lambda p: rank.get(p, len(rank)))
    return blocks, props, cells


def _cell_text(counter: Counter | None) -> str:
    if not counter:
        return "-"
    return " ".join(f"{counter[s]} {SHORT[s]}" for s in STATUSES if counter[s])


def render_matrix(results: list[Result], markdown: bool = False) -> str:
    """Rows: blocks; columns: properties; each cell counts its checks by status, so a skip or a
    block the target does not provide never reads as a pass."""
    blocks, props, cells = _cells(results)
    rows = [["block"] + props] + [[b] + [_cell_text(cells.get((b, p))) for p in props] for b in blocks]
    total = Counter(r.status for r in results)
    summary = ", ".join(f"{total[s]} {s}" for s in STATUSES if total[s]) or "no checks"
    if markdown:
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
        lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
        return "\n".join(lines) + f"\n\n{summary}\n"
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + f"\n\n{summary}"

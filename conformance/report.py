"""Results of a run and the block x property matrix every front-end ends with."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

#: Statuses, in the order a matrix cell lists them.
STATUSES = ("failed", "xpass", "passed", "xfail", "skipped", "not provided")
#: Matrix columns, in this order (properties not listed follow in order of appearance).
PROPERTY_ORDER = ("forward", "gradient", "gradcheck", "structure", "bad_input", "independence", "container", "access",
                  "buffers", "termination", "tying", "saveload", "strict", "tensors", "init")
SHORT = {"failed": "FAIL", "xpass": "XPASS", "passed": "pass", "xfail": "xfail", "skipped": "skip",
         "not provided": "n/p"}


@dataclass
class Result:
    id: str
    block: str
    property: str
    status: str
    message: str = ""
    duration: float = 0.0


@dataclass
class Report:
    """What ``conformance.run`` returns: one Result per check, plus the run's metadata."""

    results: list[Result] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """No failure (and, under ``strict_expected``, no expected failure that passed)."""
        bad = ("failed", "xpass") if self.metadata.get("strict_expected") else ("failed",)
        return not any(r.status in bad for r in self.results)

    def counts(self) -> Counter:
        return Counter(r.status for r in self.results)

    def failed(self) -> list[Result]:
        return [r for r in self.results if r.status == "failed"]

    def matrix(self) -> str:
        return render_matrix(self.results)

    def to_dict(self) -> dict[str, Any]:
        return {"metadata": self.metadata, "results": [asdict(r) for r in self.results]}

    def __str__(self) -> str:
        widened = self.metadata.get("widened") or {}
        note = "".join(f"\ntolerance widened x{f:g} for {i} (expected-failures file)" for i, f in widened.items())
        return self.matrix() + note


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
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + f"\n\n{summary}"

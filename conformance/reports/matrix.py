"""The block x property matrix every front-end ends with, and the one-line summary.

Generic over statuses: a status is a key of ``LABELS`` (its word in cells and summaries, in the order
cells list them) with a one-character ``GLYPHS`` entry for the terminal matrix; a status missing
from either still renders (as its own name, and ``?``).

The terminal matrix fits ``width`` columns (100 by default): one character per check in a cell, the
property headers abbreviated as far as needed (with a legend), and blocks whose every check is *not
provided* folded into one line. The Markdown matrix (report files) keeps the full table: every
block, full property names, and counts by status in each cell.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Protocol, Sequence

#: status -> the word for it in cells and summaries, in the order a cell lists them.
LABELS = {"failed": "FAIL", "xpass": "XPASS", "passed": "pass", "xfail": "xfail", "not checked": "n/c",
          "skipped": "skip", "not provided": "n/p"}
#: status -> its character in the terminal matrix (pytest's letters where pytest has one).
GLYPHS = {"failed": "F", "xpass": "X", "passed": ".", "xfail": "x", "not checked": "c", "skipped": "s",
          "not provided": "-"}
#: Statuses that fail a run (``xpass`` only under strict expectations).
PROBLEMS = ("failed", "xpass")
#: Matrix columns, in this order (properties not listed follow in order of appearance).
PROPERTY_ORDER = ("forward", "gradient", "gradcheck", "structure", "bad_input", "independence", "container", "access",
                  "buffers", "termination", "tying", "saveload", "strict", "tensors", "load_safety", "init", "function",
                  "apply", "reproducible", "lifecycle", "gradgrad", "copy", "meta", "factory", "bad_args")
#: Shorter headers, tried in turn until the matrix fits.
ABBREVIATIONS = (
    {"gradcheck": "gradchk", "structure": "struct", "bad_input": "badin", "independence": "indep",
     "container": "contain", "termination": "term", "saveload": "saveld", "tensors": "tensor", "load_safety": "ldsafe",
     "function": "func", "reproducible": "repro", "lifecycle": "life", "gradgrad": "gradgrd", "bad_args": "badarg"},
    {"forward": "fwd", "gradient": "grd", "gradcheck": "gck", "structure": "str", "bad_input": "bad",
     "independence": "ind", "container": "con", "access": "acc", "buffers": "buf", "termination": "trm",
     "tying": "tie", "saveload": "sav", "strict": "sct", "tensors": "ten", "load_safety": "lds", "init": "ini",
     "function": "fun", "apply": "app", "reproducible": "rep", "lifecycle": "lif", "gradgrad": "gg",
     "copy": "cpy", "meta": "met", "factory": "fac", "bad_args": "bda"},
)
NOT_PROVIDED = "not provided"
WIDTH = 100


class Outcome(Protocol):
    block: str
    property: str
    status: str


def ordered_statuses(statuses: Iterable[str]) -> list[str]:
    """``statuses`` in ``LABELS`` order; unknown ones after, in order of appearance."""
    present = list(dict.fromkeys(statuses))
    rank = {s: i for i, s in enumerate(LABELS)}
    return sorted(present, key=lambda s: (rank.get(s, len(rank)), present.index(s)))


def summary(results: Iterable[Outcome]) -> str:
    """``44 failed, 125 passed``: the count of each status present."""
    total = Counter(r.status for r in results)
    return ", ".join(f"{total[s]} {s}" for s in ordered_statuses(total)) or "no checks"


def glyph(status: str) -> str:
    return GLYPHS.get(status, "?")


def _grid(results: Sequence[Outcome]) -> tuple[list[str], list[str], dict[tuple[str, str], list[str]]]:
    """Blocks and properties in order, and each cell's statuses (one per check, in result order)."""
    blocks: dict[str, None] = {}
    props: dict[str, None] = {}
    cells: dict[tuple[str, str], list[str]] = {}
    for r in results:
        blocks[r.block] = None
        props[r.property] = None
        cells.setdefault((r.block, r.property), []).append(r.status)
    rank = {p: i for i, p in enumerate(PROPERTY_ORDER)}
    return list(blocks), sorted(props, key=lambda p: rank.get(p, len(rank))), cells


def _table(rows: list[list[str]], gap: int) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [(" " * gap).join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, (" " * gap).join("-" * w for w in widths))
    return lines


def render_terminal(results: Sequence[Outcome], width: int = WIDTH, corner: str = "block") -> str:
    """The matrix for a terminal, at most ``width`` columns where the property count allows it
    (``corner``: the rows' heading)."""
    blocks, props, cells = _grid(results)
    folded = [b for b in blocks if all(s == NOT_PROVIDED for p in props for s in cells.get((b, p), []))]
    shown = [b for b in blocks if b not in folded]
    body = [[b] + ["".join(glyph(s) for s in cells.get((b, p), [])) for p in props] for b in shown]
    lines: list[str] = []
    legend_names: dict[str, str] = {}
    if body:
        layouts: list[tuple[dict[str, str], int]] = [({}, 2)]
        layouts += [(names, gap) for names in ABBREVIATIONS for gap in (2, 1)]
        for names, gap in layouts:
            headers = [names.get(p, p) for p in props]
            lines = _table([[corner] + headers] + body, gap)
            if max(len(line) for line in lines) <= width:
                break
        else:  # too many properties for one table: the most compact one, in parts of consecutive columns
            lines = _parts(corner, [names.get(p, p) for p in props], body, gap, width)
        legend_names = {names.get(p, p): p for p in props if names.get(p, p) != p}
    if folded:
        count = sum(len(cells.get((b, p), [])) for b in folded for p in props)
        lines += wrap_items(f"not provided ({count} checks):", folded, width)
    statuses = ordered_statuses(r.status for r in results if r.block in shown)
    key = [f"{glyph(s)} {LABELS.get(s, s)}" for s in statuses]
    key += [f"{short} {full}" for short, full in legend_names.items()]
    if key:
        lines += wrap_items("legend:", key, width)
    return "\n".join(lines)


def _parts(corner: str, headers: list[str], body: list[list[str]], gap: int, width: int) -> list[str]:
    """The table split into tables of consecutive property columns, each at most ``width`` wide (a
    blank line between them), every one with the block column."""
    lines: list[str] = []
    start = 0
    while start < len(headers):
        end = start + 1
        while end < len(headers) and max(len(line) for line in _table(
                [[corner] + headers[start:end + 1]] + [[row[0]] + row[1 + start:2 + end] for row in body],
                gap)) <= width:
            end += 1
        if lines:
            lines.append("")
        lines += _table([[corner] + headers[start:end]] + [[row[0]] + row[1 + start:1 + end] for row in body], gap)
        start = end
    return lines


def wrap_items(head: str, items: list[str], width: int) -> list[str]:
    """``head item, item, ...`` in lines of at most ``width``, never breaking inside an item."""
    lines = [head]
    for i, item in enumerate(items):
        text = item + ("," if i < len(items) - 1 else "")
        if len(lines[-1]) + 1 + len(text) > width and lines[-1].strip() != head:
            lines.append(" ")
        lines[-1] += " " + text
    return lines


def _count_cell(statuses: list[str] | None) -> str:
    if not statuses:
        return "-"
    counts = Counter(statuses)
    return " ".join(f"{counts[s]} {LABELS.get(s, s)}" for s in ordered_statuses(counts))


def render_markdown(results: Sequence[Outcome], corner: str = "block") -> str:
    """The full table: every block, full property names, each cell's counts by status."""
    blocks, props, cells = _grid(results)
    rows = [[corner] + props] + [[b] + [_count_cell(cells.get((b, p))) for p in props] for b in blocks]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)

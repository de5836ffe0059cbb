"""Results of a run and the block x property matrix every front-end ends with."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from conformance.core.failures import spec_at_fault
from conformance.reports import oneline
from conformance.reports.matrix import LABELS, PROBLEMS, render_markdown, render_terminal, summary

#: Statuses, in the order a matrix cell lists them (see ``conformance.reports.matrix``).
STATUSES = tuple(LABELS)
SHORT = LABELS


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
    exercised: int | None = None  # judged examples that exercised the property (None: the check does not count them)
    notes: list[str] = field(default_factory=list)  # how the block was built and judged (fixed sizes, lazy, ...)
    cause: str = ""    # not checked, or examples left unjudged: the check whose failure this relies on
    also: list[str] = field(default_factory=list)  # other, distinct failures of the check (full texts)
    fact: str = ""     # the decisive values in a few words, for the one-line summary (``CheckFailure.fact``)
    also_facts: list[str] = field(default_factory=list)  # the fact of each failure in ``also``


@dataclass
class Report:
    """What ``conformance.run`` returns: one Result per check, plus the run's metadata."""

    results: list[Result] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """No failure (and, under ``strict_expected``, no expected failure that passed), and no check
        left *not checked* (or partly unjudged) by a failure the run does not show."""
        return not self.failures() and not self.unconfirmed()

    def failures(self) -> list[Result]:
        """The results that make the run fail: failures, and XPASSes under ``strict_expected``."""
        bad = PROBLEMS if self.metadata.get("strict_expected") else PROBLEMS[:1]
        return [r for r in self.results if r.status in bad]

    def unconfirmed(self) -> list[Result]:
        """Results that rely on another check failing (``cause``) when that check did not fail in
        this run (it passed, or was not selected), and results not checked because a declared spec is
        at fault: such a run must not end green."""
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

    def matrix(self, width: int = 100) -> str:
        """The block x property matrix, at most ``width`` columns wide (see ``conformance.reports.matrix``)."""
        return render_terminal(self.results, width)

    def summary(self) -> str:
        """``44 failed, 125 passed``."""
        return summary(self.results)

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
        lines = [head + render_markdown(self.results) + f"\n\n{self.summary()}\n"]
        problems = [r for r in self.results if r.status in PROBLEMS]
        if problems:
            lines.append("| check | status | reason |\n|---|---|---|")
            for r in problems:
                first = (r.reason or r.message or "").strip().splitlines()
                lines.append(f"| `{r.id}` | {r.status} | {(first[0] if first else '').replace('|', '/')} |")
                lines += [f"| `{r.id}` | also seen | {also_line(r, other).replace('|', '/')} |" for other in r.also]
        return "\n".join(lines) + "\n"

    def write_markdown(self, path: "str | Path") -> None:
        Path(path).write_text(self.to_markdown(), encoding="utf-8")

    def __str__(self) -> str:
        """The matrix, the summary, widened tolerances, and one line per failure: its id, the first
        line of its reason and its decisive fact (expected vs actual values), shortened to the width
        with the fact kept whole as far as it fits (``conformance.reports.oneline``), with any other
        distinct failure of the check as an ``also seen`` line."""
        return self.render()

    def render(self, width: int = 100) -> str:
        widened = self.metadata.get("widened") or {}
        source = self.metadata.get("expected") or "expected-failures file"
        lines = [self.matrix(width), "", self.summary()]
        lines += [f"tolerance widened x{f:g} for {i} ({source})" for i, f in widened.items()]
        lines += [_one_line(line, width) if line.startswith("note:") else line for line in notes_lines(self.results)]
        problems = [r for r in self.results if r.status in PROBLEMS]
        if problems:
            lines += ["", "failures:" if self.failures() else "expected failures that passed:"]
            for r in problems:
                status = "" if r.status == "failed" else f" ({LABELS.get(r.status, r.status)})"
                lines.append(oneline.line(f"  {r.id}{status}: ", first_line(r), r.fact, width))
                facts = [*r.also_facts, *[""] * len(r.also)][:len(r.also)]
                lines += [oneline.line("    also seen: ", *also_parts(r, other, fact), width)
                          for other, fact in zip(r.also, facts, strict=True)]
        return "\n".join(lines)


def unconfirmed(results: list[Result]) -> list[Result]:
    """Results whose ``cause`` did not fail (nor fail as expected) among ``results``, and results not
    checked because the declared spec is at fault (``core.failures.spec_at_fault``): neither lets a run
    end green."""
    failed = {r.id for r in results if r.status in ("failed", "xfail")}
    return [r for r in results if (r.cause and r.cause not in failed)
            or (r.status == "not checked" and spec_at_fault(r.reason))]


_UNJUDGED = re.compile(r"^(\S+): \d+ examples not judged: (.*)$")


def notes_lines(results: list[Result]) -> list[str]:
    """The notes of a run (how blocks were built and judged), then any result not confirmed by a failure."""
    lines: list[str] = []
    seen: set[str] = set()
    unjudged: dict[str, list[str]] = {}  # "reason (see cause)" -> the checks that left examples unjudged for it
    for r in results:
        for note in r.notes:
            found = _UNJUDGED.match(note)
            if found:
                unjudged.setdefault(found.group(2), []).append(found.group(1))
            elif note not in seen:
                seen.add(note)
                lines.append(f"note: {note}")
    for reason, ids in unjudged.items():
        which = ids[0] if len(ids) == 1 else f"{len(ids)} checks ({ids[0]}, ...)"
        lines.append(f"note: {which} judged only some examples; in the others, {reason}")
    rests = rests_on(results)
    if rests:
        lines.append(f"note: {rests}")
    at_fault: dict[str, list[str]] = {}  # the declared spec's fault (its reason's first line) -> the checks
    for r in unconfirmed(results):
        if not r.cause:  # the declared spec is at fault
            at_fault.setdefault(r.reason.splitlines()[0] if r.reason else "", []).append(r.id)
            continue
        if r.status == "not checked":
            lines.append(f"ERROR: {r.id} is not checked because {r.cause} should fail, but {r.cause} did not fail "
                         "in this run (run it too); the run cannot be green")
        else:  # judged on some examples; the others were left to the cause
            lines.append(f"ERROR: {r.id} {r.status} on the examples it could judge; it left others to {r.cause}, "
                         f"which did not fail in this run (run it too); the run cannot be green")
    for reason, ids in at_fault.items():
        which = f"{ids[0]} is" if len(ids) == 1 else f"{len(ids)} checks ({ids[0]}, ...) are"
        lines.append(f"ERROR: {which} not checked because the declared spec is at fault: {reason}; "
                     "the run cannot be green")
    return lines



def rests_on(results: list[Result]) -> str:
    """How many judged examples that exercise their property the passes rest on (the fewest, and
    the median), or "" where no pass counted them."""
    counted = sorted((r.exercised, r.id) for r in results if r.status == "passed" and r.exercised is not None)
    if not counted:
        return ""
    fewest, which = counted[0]
    median = counted[len(counted) // 2][0]
    return f"passes rest on {median} examples that exercise them (median; fewest {fewest}, {which})"


def first_line(result: Result) -> str:
    """The first line of a result's reason (or message)."""
    lines = (result.reason or result.message or "").strip().splitlines()
    return lines[0] if lines else ""


def also_parts(result: Result, other: str, fact: str) -> tuple[str, str]:
    """The problem and the fact of another failure of ``result``'s check, for its one line: its own
    fact where it has one, else ``also_line``."""
    if fact:
        lines = other.strip().splitlines()
        return (lines[0].strip() if lines else ""), fact
    return also_line(result, other), ""


def also_line(result: Result, other: str) -> str:
    """One line for another failure of ``result``'s check: its first line, and the first of its
    detail where that first line is the same as the check's own (the same kind, another way)."""
    lines = [line.strip() for line in other.strip().splitlines()]
    head = lines[0] if lines else ""
    if head == first_line(result) and len(lines) > 1 and lines[1] not in ("Example:", "Reproduce:"):
        head += f" ({lines[1]})"
    return head


def _one_line(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."

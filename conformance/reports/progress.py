"""Progress while checks run, for the CLI and ``conformance.run``: one rewritten line with a bar, the
counts so far and the check running now on a terminal, or one line per check when the output is not
a terminal; nothing when ``CI`` is set or the run is quiet (CI logs keep the matrix only)."""

from __future__ import annotations

import os
import shutil
import time
from collections import Counter
from typing import IO, Callable

from conformance.reports.matrix import LABELS, ordered_statuses

#: Modes: "bar" (a terminal), "lines" (a log), "off".
MODES = ("auto", "bar", "lines", "off")


def choose_mode(requested: str, isatty: bool, quiet: bool = False) -> str:
    """"auto" is "off" when quiet or ``CI`` is set, else "bar" on a terminal and "lines" otherwise."""
    if requested != "auto":
        return requested
    if quiet or os.environ.get("CI"):
        return "off"
    return "bar" if isatty else "lines"


def isatty(stream: IO[str]) -> bool:
    """Whether ``stream`` is a terminal (False for one without ``isatty`` or closed)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """Counts checks as they finish and shows them through ``write`` (text, no newline added) and
    ``rewrite`` (a line replacing the current one; ``write("\\r" + ...)`` by default)."""

    def __init__(self, mode: str, write: Callable[[str], None], total: int | None = None,
                 width: int | None = None, rewrite: Callable[[str], None] | None = None) -> None:
        self.mode, self.total, self._write = mode, total, write
        self._rewrite = rewrite or (lambda line: write("\r" + line))
        self.width = width or shutil.get_terminal_size((100, 24)).columns
        self.counts: Counter = Counter()
        self.running: str = ""
        self._shown = 0  # length of the bar now on screen
        self._start = time.monotonic()

    @property
    def done(self) -> int:
        return sum(self.counts.values())

    def _tally(self) -> str:
        return ", ".join(f"{self.counts[s]} {LABELS.get(s, s)}" for s in ordered_statuses(self.counts))

    def _of_total(self) -> str:
        return f"{self.done}/{self.total}" if self.total else str(self.done)

    def start(self, check_id: str) -> None:
        """A check starts (under xdist: a worker started it)."""
        self.running = check_id
        if self.mode == "bar":
            self._bar()

    def finish(self, check_id: str, status: str, duration: float = 0.0) -> None:
        self.counts[status] += 1
        if self.running == check_id:
            self.running = ""
        if self.mode == "lines":
            count = self._of_total().rjust(2 * len(str(self.total or 0)) + 1)
            self._write(f"[{count}] {check_id} {LABELS.get(status, status)} ({duration:.1f} s)\n")
        elif self.mode == "bar":
            self._bar()

    def _bar(self) -> None:
        cells = 20
        filled = cells * self.done // self.total if self.total else 0
        line = (f"[{'#' * filled}{'.' * (cells - filled)}] {self._of_total()} {self._tally()}"
                f"{'  running ' + self.running if self.running else ''}")
        line = line[: self.width - 1]
        self._rewrite(line.ljust(self._shown))
        self._shown = len(line)

    def close(self) -> None:
        """Clear the bar, so what follows starts on a clean line."""
        if self.mode == "bar" and self._shown:
            self._rewrite(" " * self._shown)
            self._rewrite("")
            self._shown = 0

"""The CLI's terminal output under pytest (``python -m conformance``): the header before any check
runs, a progress bar or line per check instead of pytest's dots (silent when ``CI`` is set or under
``-q``), and no xdist start-up chatter. Registered by the plugin in the process that reports (the
xdist controller, or the only process), never in an xdist worker."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from conformance.reports.progress import Progress, choose_mode


def check_id_of(nodeid: str) -> str:
    """``conformance/test_forward.py::test_forward[linear.forward[float32]]`` -> ``linear.forward[float32]``."""
    return nodeid.split("[", 1)[1][:-1] if nodeid.endswith("]") and "[" in nodeid else nodeid


class Console:
    def __init__(self, config: pytest.Config, progress: str, header: Callable[[], list[str]]) -> None:
        self.config, self.requested, self.header = config, progress, header
        self.reporter: Any = None
        self.progress = Progress("off", self._write)

    def _width(self) -> int:
        return getattr(getattr(self.reporter, "_tw", None), "fullwidth", 100) if self.reporter else 100

    def _write(self, text: str) -> None:
        if self.reporter is not None:
            self.reporter.write(text, flush=True)

    def _rewrite(self, line: str) -> None:
        if self.reporter is not None:
            self.reporter.rewrite(line)
            self.reporter.flush()

    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if self.reporter is None:
            return
        quiet = (self.config.getoption("verbose", 0) or 0) < -1  # the CLI's own -q, and the user's
        mode = choose_mode(self.requested, self.reporter.isatty(), quiet)
        self.progress = Progress(mode, self._write, rewrite=self._rewrite, width=self._width())
        for line in self.header():
            self.reporter.write_line(line)
        distributed = self.config.pluginmanager.get_plugin("terminaldistreporter")
        if distributed is not None:  # "bringing up nodes..." on every status change: the header says enough
            distributed.ensure_show_status = lambda *args, **kwargs: None
            distributed.rewrite = lambda *args, **kwargs: None

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.progress.total = len(session.items)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        self.progress.total = len(ids)

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        self.progress.start(check_id_of(nodeid))

    def finished(self, check_id: str, status: str, duration: float) -> None:
        """A check's outcome (the plugin calls this once per check, as it records the result)."""
        self.progress.finish(check_id, status, duration)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_report_teststatus(self, report: pytest.TestReport, config: pytest.Config):
        outcome = yield
        category, _, word = outcome.get_result()
        outcome.force_result((category, "", word))  # no dot; the word names it in pytest's summaries

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.progress.close()

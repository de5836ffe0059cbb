"""The pytest plugin (registered as the ``pytest11`` entry point ``conformance.plugin``).

Adds ``--impl`` (or ``CONFORMANCE_IMPL``), ``--device`` and ``--check-timeout``; parametrizes the
test modules of this package over the registry, one test per check id; prints the resolved target
in the header and the block x property matrix at the end (gathered from all xdist workers).
"""

from __future__ import annotations

import re

import numpy
import pytest
import torch
import hypothesis

from . import __version__, profiles
from .context import DEFAULT_CALL_TIMEOUT_S, CheckContext
from .failures import NotProvided
from .registry import all_checks, select
from .report import Result, render_matrix
from .target import Target, TargetError, load_target

CHECK_KEY = "conformance_check"
_TARGET_KEY = pytest.StashKey[Target]()
_RESULTS_KEY = pytest.StashKey[dict]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "conformance suite for nn.Module blocks")
    group.addoption("--impl", default=None, metavar="TARGET",
                    help="implementation under test: a module name, a path to a .py file, or a built-in "
                         "alias (torch). Default: $CONFORMANCE_IMPL, else torch.")
    group.addoption("--device", default="cpu", help="device the target's blocks and inputs are put on (default cpu)")
    group.addoption("--check-timeout", type=float, default=DEFAULT_CALL_TIMEOUT_S, metavar="SECONDS",
                    help=f"limit for each call into the target (default {DEFAULT_CALL_TIMEOUT_S:g} s); 0 disables")


def pytest_configure(config: pytest.Config) -> None:
    profiles.register()
    if not config.getoption("hypothesis_profile", default=None):
        hypothesis.settings.load_profile(profiles.default_profile())
    config.stash[_RESULTS_KEY] = {}
    get_target(config)  # a usage error now, in one line, rather than at collection
    config.addinivalue_line("markers", "conformance: a check of the conformance suite")


def get_target(config: pytest.Config) -> Target:
    """The target, resolved once per process; a usage error when it cannot be used."""
    if _TARGET_KEY not in config.stash:
        try:
            config.stash[_TARGET_KEY] = load_target(config.getoption("impl"))
        except TargetError as exc:
            raise pytest.UsageError(str(exc)) from None
    return config.stash[_TARGET_KEY]


def pytest_report_header(config: pytest.Config) -> list[str]:
    try:
        target = get_target(config)
    except pytest.UsageError:
        return []
    profile = hypothesis.settings.get_current_profile_name()
    return [
        f"conformance {__version__}: target {target.name!r} ({target.file or 'no file'}); "
        f"provides {', '.join(target.provided)}",
        f"conformance: torch {torch.__version__}, numpy {numpy.__version__}, hypothesis {hypothesis.__version__}, "
        f"profile {profile!r}, device {config.getoption('device')}",
    ]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if CHECK_KEY not in metafunc.fixturenames:
        return
    area = getattr(metafunc.module, "AREA")
    checks = select(all_checks(), area)
    metafunc.parametrize(CHECK_KEY, checks, ids=[c.id for c in checks])


@pytest.fixture(scope="session")
def conformance_context(request: pytest.FixtureRequest) -> CheckContext:
    config = request.config
    timeout = config.getoption("check_timeout")
    return CheckContext(get_target(config), device=config.getoption("device"), call_timeout=timeout or None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and CHECK_KEY in callspec.params:
            check = callspec.params[CHECK_KEY]
            item.user_properties.append((CHECK_KEY, (check.id, check.block, check.property)))
            item.add_marker(pytest.mark.conformance)


_NOT_PROVIDED = re.compile(re.escape(NotProvided.PREFIX))


def _status(report: pytest.TestReport) -> str | None:
    if report.when == "call" or (report.when == "setup" and not report.passed):
        if report.passed:
            return "xpass" if hasattr(report, "wasxfail") else "passed"
        if report.skipped:
            if hasattr(report, "wasxfail"):
                return "xfail"
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            return "not provided" if _NOT_PROVIDED.search(reason) else "skipped"
        return "failed"
    return None


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Runs in the controller for every worker's report too, so results gather here under xdist."""
    info = dict(report.user_properties).get(CHECK_KEY)
    status = _status(report)
    if info is None or status is None:
        return
    check_id, block, prop = info
    results = _results_of(report)
    if results is not None:
        results[check_id] = Result(check_id, block, prop, status, "", report.duration)


_CONFIG: list[pytest.Config] = []


def _results_of(report: pytest.TestReport) -> dict | None:
    return _CONFIG[-1].stash[_RESULTS_KEY] if _CONFIG else None


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    _CONFIG.append(session.config)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _CONFIG and _CONFIG[-1] is session.config:
        _CONFIG.pop()


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    results = config.stash.get(_RESULTS_KEY, {})
    if not results:
        return
    order = {c.id: i for i, c in enumerate(all_checks())}
    ordered = sorted(results.values(), key=lambda r: order.get(r.id, len(order)))
    terminalreporter.section("conformance matrix")
    target = config.stash.get(_TARGET_KEY, None)
    if target is not None:
        terminalreporter.write_line(f"target: {target.name} ({target.file or 'no file'})")
    for line in render_matrix(ordered).splitlines():
        terminalreporter.write_line(line)

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
from .expected import ExpectedFileError, Expectations
from .failures import NotProvided
from .registry import all_checks, select
from .report import Result, render_matrix
from .target import Target, TargetError, load_target

CHECK_KEY = "conformance_check"
_TARGET_KEY = pytest.StashKey[Target]()
_RESULTS_KEY = pytest.StashKey[dict]()
_EXPECTED_KEY = pytest.StashKey["Expectations | None"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "conformance suite for nn.Module blocks")
    group.addoption("--impl", default=None, metavar="TARGET",
                    help="implementation under test: a module name, a path to a .py file, or a built-in "
                         "alias (torch). Default: $CONFORMANCE_IMPL, else torch.")
    group.addoption("--device", default="cpu", help="device the target's blocks and inputs are put on (default cpu)")
    group.addoption("--expected", default=None, metavar="FILE",
                    help="expected-failures TOML file: [xfail], [skip], [tolerance] entries by check id pattern")
    group.addoption("--strict-expected", action="store_true", default=False,
                    help="an expected failure that passes (XPASS) fails the run")
    group.addoption("--xfail-as-skip", action="store_true", default=False,
                    help="skip the expected failures instead of running them (faster)")
    group.addoption("--check-timeout", type=float, default=DEFAULT_CALL_TIMEOUT_S, metavar="SECONDS",
                    help=f"limit for each call into the target (default {DEFAULT_CALL_TIMEOUT_S:g} s); 0 disables")


def pytest_configure(config: pytest.Config) -> None:
    profiles.register()
    if not config.getoption("hypothesis_profile", default=None):
        hypothesis.settings.load_profile(profiles.default_profile())
    config.stash[_RESULTS_KEY] = {}
    get_target(config)  # a usage error now, in one line, rather than at collection
    config.stash[_EXPECTED_KEY] = None
    if config.getoption("expected"):
        try:
            expected = Expectations.load(config.getoption("expected"))
            expected.validate(c.id for c in all_checks())
        except ExpectedFileError as exc:
            raise pytest.UsageError(str(exc)) from None
        config.stash[_EXPECTED_KEY] = expected
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
    expected = config.stash.get(_EXPECTED_KEY, None)
    widen = expected.widen(c.id for c in all_checks()) if expected else {}
    return CheckContext(get_target(config), device=config.getoption("device"), call_timeout=timeout or None,
                        widen=widen)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    expected = config.stash.get(_EXPECTED_KEY, None)
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and CHECK_KEY in callspec.params:
            check = callspec.params[CHECK_KEY]
            item.user_properties.append((CHECK_KEY, (check.id, check.block, check.property)))
            item.add_marker(pytest.mark.conformance)
            outcome = expected.outcome(check.id) if expected else None
            if outcome is None:
                continue
            kind, reason = outcome
            if kind == "skip" or config.getoption("xfail_as_skip"):
                item.add_marker(pytest.mark.skip(reason=f"{kind} in {expected.source}: {reason}"))
            else:
                item.add_marker(pytest.mark.xfail(reason=reason, strict=config.getoption("strict_expected")))


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
    expected = config.stash.get(_EXPECTED_KEY, None)
    if expected is not None:
        for check_id, factor in expected.widen(results).items():
            terminalreporter.write_line(f"tolerance widened x{factor:g} for {check_id} ({expected.source})")

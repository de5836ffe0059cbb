"""The pytest plugin (registered as the ``pytest11`` entry point ``conformance.frontends.plugin``).

Adds ``--impl`` (or ``CONFORMANCE_IMPL``), ``--device``, ``--check-timeout``, ``--expected`` and
``--report``/``--report-md``; parametrizes the test modules of this package over the registry, one
test per check id; prints the resolved target and the run's seed in the header, and the block x
property matrix at the end. Under pytest-xdist the controller chooses the seed and hands it to every
worker, and gathers every worker's results, so reports do not depend on the worker layout.

Several targets (``--impl`` repeated, a glob, a directory): one test per (target, check) pair, each
run in its target's child forked from the worker (``plugin_batch``, ``forked``), and one combined
report (``combined``); ``--shard K/N`` keeps one part of the pairs (``shards``).

Start-up matters (this plugin loads in every pytest run of an environment that has the package):
importing it imports neither torch nor the target. Under pytest-xdist the controller never does:
it checks that ``--impl`` names something that exists, and the workers import it and send back
what the report says of it.

This file is the list of hooks; each delegates to the module of its job: ``plugin_config`` (options,
configuration, the stash keys), ``plugin_collect`` (collection, ids, the context, headers),
``plugin_results`` (outcomes gathered, reports built, exit status, the matrix), ``plugin_xdist``
(workers: the seed, their output, crashes, ``-x``) and ``plugin_batch`` (several targets). The
checks themselves run through ``conformance.execution``.
"""


from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

import pytest

from conformance.frontends import plugin_collect as collect
from conformance.frontends import plugin_config as config_
from conformance.frontends import plugin_results as results
from conformance.frontends import plugin_xdist as xdist
from conformance.frontends.plugin_config import CONFIGS, CONSOLE, FROZEN_KEY, get_target, is_xdist_controller
from conformance.frontends.plugin_results import build_batch_report, build_report

if TYPE_CHECKING:
    from conformance.core.context import CheckContext

__all__ = ["build_batch_report", "build_report", "get_target", "is_xdist_controller"]


# -- options and configuration (plugin_config) ------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    config_.add_options(parser)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook turns -n into a distribution mode
def pytest_cmdline_main(config: pytest.Config) -> None:
    config_.cmdline_main(config)


@pytest.hookimpl(tryfirst=True)  # before Hypothesis's own plugin loads ``--hypothesis-profile NAME``
def pytest_configure(config: pytest.Config) -> None:
    config_.configure(config)
    if config.getoption("conformance_cli") and getattr(config, "workerinput", None) is None:
        from conformance.reports.console import Console  # python -m conformance: its own console

        config.pluginmanager.register(Console(config, config.getoption("conformance_progress"),
                                              lambda: collect.header(config)), CONSOLE)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    CONFIGS.append(session.config)


# -- collection, ids, the context, headers (plugin_collect) -----------------------------------------
def pytest_report_header(config: pytest.Config) -> list[str]:
    return collect.report_header(config)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    collect.generate_tests(metafunc)


@pytest.fixture(scope="session")
def conformance_context(request: pytest.FixtureRequest) -> CheckContext:
    return collect.make_context(request)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    collect.modify_items(config, items)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    collect.collection_finish(session)


# -- each check's outcome, where it ran (plugin_results) --------------------------------------------
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item):
    ctx, before = results.context_of(item)
    yield
    results.count_examples(item, ctx, before)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    results.attach_parts(item, call, outcome.get_result())


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Runs in the controller for every worker's report too, so results gather here under xdist."""
    results.gather(report)


# -- pytest-xdist (plugin_xdist) --------------------------------------------------------------------
@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:  # in the controller, once per worker
    xdist.configure_node(node)


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session: pytest.Session):
    try:
        return (yield)
    except KeyboardInterrupt as exc:
        if xdist.stopped_for_failures(session, exc):  # -x / --maxfail: exit 1, as in plain pytest
            raise session.Failed(session.shouldfail) from None
        raise


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:  # in the controller, as a worker finishes
    xdist.node_down(node, error)


@pytest.hookimpl(optionalhook=True)
def pytest_handlecrashitem(crashitem: str, report: pytest.TestReport, sched: Any) -> None:
    xdist.crashed_item(crashitem, report, sched)


# -- the end: reports, exit status, the matrix (plugin_results) -------------------------------------
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    if config.stash.get(FROZEN_KEY, False):
        gc.freeze()  # and what the checks left: the collections at exit (pytest's, then Python's) skip it
    if CONFIGS and CONFIGS[-1] is config:
        CONFIGS.pop()
    if getattr(config, "workeroutput", None) is not None:  # an xdist worker: the controller reports
        xdist.worker_output(config)
    else:
        results.session_finish(session)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    results.terminal_summary(terminalreporter, exitstatus, config)

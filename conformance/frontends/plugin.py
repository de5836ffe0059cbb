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
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import re
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conformance.core.errors import UsageError
from conformance.core.failures import NotChecked, NotProvided, failure_fields, not_checked_cause
from conformance.drawing import profiles
from conformance.frontends.expected import Expectations, ExpectedFileError
from conformance.frontends.usage import (
    check_suite_args,
    check_writable,
    keyword_error,
    not_provided_error,
    own_names_keyword,
    runs_the_suite,
)
from conformance.loading.target import (
    Target,
    TargetError,
    load_target,
    locate_target,
    parse_names,
    refuse_missing_names,
)
from conformance.reports.brief import ONE_LINE_HINT, brief, one_line, use_one_line, wants_brief
from conformance.reports.header import header_lines, provides, shown_path
from conformance.reports.metadata import environment, new_seed, run_metadata, target_info
from conformance.reports.progress import MODES
from conformance.reports.report import Report, Result
from conformance.sandbox.timeouts import (
    DEFAULT_CALL_TIMEOUT_S,
    DEFAULT_MEMORY_LIMIT_GIB,
    crash_reason,
    enable_watchdog,
    limit_memory,
)

if TYPE_CHECKING:
    from conformance.core.context import CheckContext

CHECK_KEY = "conformance_check"
_TARGET_KEY = pytest.StashKey[Target]()
_RESULTS_KEY = pytest.StashKey[dict]()
_EXPECTED_KEY = pytest.StashKey["Expectations | None"]()
_SEED_KEY = pytest.StashKey["int | str | None"]()
_BOUND_TARGET_KEY = pytest.StashKey[dict]()
FIELDS_KEY = "conformance_failure"
NOTES_KEY = "conformance_notes"
EXAMPLES_KEY = "conformance_examples"
_EXAMPLES_KEY = pytest.StashKey[int]()
_NOTES_KEY = pytest.StashKey[tuple]()
_LOCATED_KEY = pytest.StashKey["tuple[str, str | None]"]()
_ENVIRONMENT_KEY = pytest.StashKey[dict]()
_ORDER_KEY = pytest.StashKey[list]()
_PROFILE_KEY = pytest.StashKey[str]()
_FROZEN_KEY = pytest.StashKey[bool]()
_TARGET_ERROR_KEY = pytest.StashKey[str]()
_NAMES_KEY = pytest.StashKey[dict]()
_LOAD_ERROR_KEY = pytest.StashKey[str]()
_KEYWORD_KEY = pytest.StashKey[str]()  # -k as given (the option holds it with --name's own names mapped)
_BOUND_HEADERS_KEY = pytest.StashKey[dict]()  # parametrize_with_checks: header lines -> shown yet
_BOUND_LINES_KEY = pytest.StashKey[dict]()  # parametrize_with_checks: id of a target -> its header lines
HEADER_PROPERTY = "conformance_header"
_BATCH_KEY = pytest.StashKey["list[tuple[str, str]]"]()  # several targets: (label, spec) each
_INFOS_KEY = pytest.StashKey[dict]()
_POOL_KEY = pytest.StashKey[Any]()
CONSOLE = "conformance-console"
ENVIRONMENT_OUTPUT = "conformance_environment"
TARGET_ERROR_OUTPUT = "conformance_target_error"
ORDER_OUTPUT = "conformance_order"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "conformance suite for nn.Module blocks")
    group.addoption("--impl", action="append", default=None, metavar="TARGET",
                    help="implementation under test: a module name, a path to a .py file, or a built-in "
                         "alias (torch). Default: $CONFORMANCE_IMPL, else torch. Repeat it, or give a glob or "
                         "a directory of .py files, to check several targets in one run (each apart)")
    group.addoption("--shard", default=None, metavar="K/N", dest="conformance_shard",
                    help="run only the K-th of N parts of the (target, check) pairs, balanced by measured cost "
                         "(needs a fixed seed: --hypothesis-seed, or the derandomized ci profile); join the "
                         "parts' --report files with `python -m conformance merge`")
    group.addoption("--name", action="append", default=[], metavar="CONTRACT=THEIRS", dest="conformance_names",
                    help="the target's own name for a contract name (repeatable): "
                         "--name MLP=Net --name Chimera=chimera")
    group.addoption("--unwrap", action="store_true", default=False, dest="conformance_unwrap",
                    help="judge the layout of a wrapped block (torch.compile, parametrize, pruning, weight or "
                         "spectral norm, a library wrapper) by the module inside")
    group.addoption("--device", default="cpu", help="device the target's blocks and inputs are put on (default cpu)")
    group.addoption("--expected", default=None, metavar="FILE",
                    help="expected-failures TOML file: [xfail], [skip], [tolerance] entries by check id pattern")
    group.addoption("--strict-expected", action="store_true", default=False,
                    help="an expected failure that passes (XPASS) fails the run")
    group.addoption("--xfail-as-skip", action="store_true", default=False,
                    help="skip the expected failures instead of running them (faster)")
    group.addoption("--check-timeout", type=float, default=DEFAULT_CALL_TIMEOUT_S, metavar="SECONDS",
                    help=f"limit for each call into the target (default {DEFAULT_CALL_TIMEOUT_S:g} s); 0 disables")
    group.addoption("--threads", type=int, default=1, metavar="N", dest="conformance_threads",
                    help="torch intra-op threads while a check runs (default 1: the blocks are small, and "
                         "xdist workers would oversubscribe the cores); 0 leaves torch's setting")
    group.addoption("--report", default=None, metavar="FILE.json", dest="conformance_report",
                    help="write a JSON report: one record per check (id, status, reason, example, snippet, "
                         "duration) and the run's metadata (versions, profile, seed, device)")
    group.addoption("--report-md", default=None, metavar="FILE.md", dest="conformance_report_md",
                    help="write the block x property matrix (and the failures) as Markdown")
    group.addoption("--progress", default="auto", choices=MODES, dest="conformance_progress",
                    help="python -m conformance: a progress bar on a terminal, a line per check otherwise "
                         "(auto: none when $CI is set or under -q)")
    group.addoption("--in-process", action="store_true", default=False, dest="conformance_in_process",
                    help="run the suite's checks in this process (default: in one pytest-xdist worker when no "
                         "-n is given, so a target that ends or kills the process fails the check it was running)")
    group.addoption("--memory-limit", type=float, default=DEFAULT_MEMORY_LIMIT_GIB, metavar="GiB",
                    dest="conformance_memory_limit",
                    help=f"address-space limit of each pytest-xdist worker (default {DEFAULT_MEMORY_LIMIT_GIB:g} GiB; "
                         "0 disables): a block that allocates beyond it fails its check (MemoryError or torch's "
                         "RuntimeError) instead of exhausting the machine")
    group.addoption("--conformance-cli", action="store_true", default=False, help=argparse.SUPPRESS)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook turns -n into a distribution mode
def pytest_cmdline_main(config: pytest.Config) -> None:
    """A run of the suite given no worker layout runs its checks in one pytest-xdist worker (``-n 1``),
    as the CLI does: a target that ends the process, even with status 0 from C, is killed or hangs
    where no signal reaches fails the check it was running instead of ending the run green.
    ``--in-process`` (or ``-p no:xdist``, ``-n 0``) keeps them in this process."""
    option = config.option
    if (getattr(config, "workerinput", None) is not None or not config.pluginmanager.has_plugin("xdist")
            or getattr(option, "numprocesses", None) is not None or getattr(option, "dist", "no") != "no"
            or option.collectonly or getattr(option, "usepdb", False) or option.conformance_in_process
            or not _collects_the_suite(config)):
        return
    option.numprocesses, option.dist, option.tx = 1, "load", ["popen"]  # what xdist's own hook makes of -n 1


def _collects_the_suite(config: pytest.Config) -> bool:
    """The run's arguments name this package (a path inside it, or ``--pyargs conformance``)."""
    from conformance.frontends.usage import runs_the_suite

    return runs_the_suite(config.args, config.invocation_params.dir, bool(config.option.pyargs))


@pytest.hookimpl(tryfirst=True)  # before Hypothesis's own plugin loads ``--hypothesis-profile NAME``
def pytest_configure(config: pytest.Config) -> None:
    controller = is_xdist_controller(config)
    worker = getattr(config, "workerinput", None) is not None
    if not worker:
        _check_user_input(config)  # before anything runs: a typo'd path fails now, not after the run
    _choose_targets(config)
    if not worker and _collects_the_suite(config):
        use_one_line(config)  # one line per failing check unless -v (the matrix and the reports have them all)
    if not _collects_the_suite(config):
        pass  # another project's run (this plugin is loaded by every pytest run): its processes are its own
    elif worker:
        limit_memory(config.getoption("conformance_memory_limit"))
        enable_watchdog()  # a hang SIGALRM cannot stop ends this worker; the controller reports it
    elif not controller and not config.getoption("collectonly"):
        enable_watchdog(os.fdopen(os.dup(2), "w"))  # serial: the run ends (red), the traceback on stderr
    chosen = config.getoption("hypothesis_profile", default=None)
    if chosen or not controller or "hypothesis" in sys.modules:
        # Ours replace Hypothesis's built-in "ci" profile before anything loads it. The xdist
        # controller runs no check and, unless told to load a profile, never imports Hypothesis.
        profiles.register()
        if not chosen:
            from hypothesis import settings

            settings.load_profile(profiles.default_profile())
    config.stash[_PROFILE_KEY] = chosen or profiles.default_profile()
    config.stash[_RESULTS_KEY] = {}
    config.stash[_SEED_KEY] = _choose_seed(config)
    if config.getoption("conformance_shard") and _collects_the_suite(config):
        _shard(config)
    if config.getoption("expected"):
        from conformance.core.registry import all_checks

        try:
            config.stash[_EXPECTED_KEY] = Expectations.resolve(config.getoption("expected"),
                                                               [c.id for c in all_checks()])
        except ExpectedFileError as exc:
            raise pytest.UsageError(str(exc)) from None
    try:
        expected = config.stash.get(_EXPECTED_KEY, None)
        config.stash[_NAMES_KEY] = {**(expected.names if expected else {}),
                                    **parse_names(config.getoption("conformance_names"))}
    except TargetError as exc:
        raise pytest.UsageError(str(exc)) from None
    explicit = config.getoption("impl") is not None or bool(os.environ.get("CONFORMANCE_IMPL"))
    if config.stash[_NAMES_KEY] and _BATCH_KEY not in config.stash and (explicit or _collects_the_suite(config)):
        try:
            refuse_missing_names(config.getoption("impl"), config.stash[_NAMES_KEY])  # read, not imported: no torch
        except TargetError as exc:
            raise pytest.UsageError(str(exc)) from None
    if config.getoption("keyword", "") and config.stash[_NAMES_KEY] and _collects_the_suite(config):
        # -k Dense (--name Linear=Dense) selects linear's checks: the ids use the contract's names
        config.stash[_KEYWORD_KEY] = config.option.keyword
        config.option.keyword = own_names_keyword(config.option.keyword, config.stash[_NAMES_KEY],
                                                  several=_BATCH_KEY in config.stash)
    if _BATCH_KEY in config.stash:
        try:
            for _, spec in config.stash[_BATCH_KEY]:
                locate_target(spec)  # exists; what importing it raises is that target's error, not the run's
        except TargetError as exc:
            raise pytest.UsageError(str(exc)) from None
    elif controller or not explicit:
        # Only check that the target exists. The xdist workers import it; without --impl (the
        # built-in torch target) it is imported when a check first needs it, so a pytest run of
        # other tests in an environment with this plugin does not import torch.
        try:
            config.stash[_LOCATED_KEY] = locate_target(config.getoption("impl"))
        except TargetError as exc:
            raise pytest.UsageError(str(exc)) from None
    else:
        try:
            get_target(config)  # a usage error now, in one line, rather than at collection
        except pytest.UsageError as exc:
            if getattr(config, "workerinput", None) is None:
                raise
            # An xdist worker: a usage error here would crash it (and xdist would restart it). It
            # runs none of the checks instead, and the controller reports the error and exits 4.
            config.stash[_TARGET_ERROR_KEY] = str(exc)
    config.addinivalue_line("markers", "conformance: a check of the conformance suite")
    if config.getoption("conformance_cli") and not worker:
        from conformance.reports.console import Console

        config.pluginmanager.register(Console(config, config.getoption("conformance_progress"),
                                              lambda: _header(config)), CONSOLE)


def _choose_targets(config: pytest.Config) -> None:
    """``--impl`` values (repeated, globs, directories) -> one target (``config.option.impl``, as
    before), or several (``_BATCH_KEY``: label and spec each)."""
    from conformance.frontends.batch import expand, labels

    try:
        specs = expand(config.getoption("impl") or [], config.invocation_params.dir)
        names = labels(specs)
    except UsageError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.option.impl = specs[0] if len(specs) == 1 else None
    if len(specs) > 1:
        config.stash[_BATCH_KEY] = list(zip(names, specs, strict=True))


def _shard(config: pytest.Config) -> None:
    """``--shard K/N``: keep this shard's pairs (after ``-k``); a usage error without a fixed seed."""
    from conformance.frontends.plugin_batch import pair_of
    from conformance.frontends.shards import ShardSelector, parse_shard

    try:
        index, count = parse_shard(config.getoption("conformance_shard"))
    except UsageError as exc:
        raise pytest.UsageError(str(exc)) from None
    if config.stash[_SEED_KEY] is not None and config.getoption("hypothesis_seed", default=None) is None \
            and getattr(config, "workerinput", None) is None:
        raise pytest.UsageError("--shard needs the same seed in every shard: give --hypothesis-seed N, or use the "
                                "derandomized ci profile (--hypothesis-profile ci, the default when $CI is set)")
    config.pluginmanager.register(ShardSelector(index, count, pair_of), "conformance-shard")


def _check_user_input(config: pytest.Config) -> None:
    """Report paths that cannot be written, and the suite's path outside a clone: usage errors."""
    base = config.invocation_params.dir
    try:
        check_suite_args(config.args, base, bool(config.getoption("pyargs", False)))
        for option, dest in (("--report", "conformance_report"), ("--report-md", "conformance_report_md")):
            if config.getoption(dest):
                check_writable(config.getoption(dest), option, base)
    except UsageError as exc:
        raise pytest.UsageError(str(exc)) from None


def is_xdist_controller(config: pytest.Config) -> bool:
    """This process hands the tests to pytest-xdist workers and runs none itself."""
    return (getattr(config, "workerinput", None) is None and config.getoption("dist", "no") != "no"
            and bool(config.getoption("numprocesses", None)) and not config.getoption("collectonly"))


def _choose_seed(config: pytest.Config) -> "int | str | None":
    """The Hypothesis seed of every check in this run: the controller's choice on an xdist worker;
    else ``--hypothesis-seed``; else none under a derandomized profile (ci); else a fresh one."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and "conformance_seed" in workerinput:
        return workerinput["conformance_seed"]
    given = config.getoption("hypothesis_seed", default=None)
    if given is not None:
        try:
            return int(given)
        except ValueError:
            return str(given)
    return None if profiles.describe(config.stash[_PROFILE_KEY])[2] else new_seed()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:  # pytest-xdist: runs in the controller, once per worker
    node.workerinput["conformance_seed"] = node.config.stash.get(_SEED_KEY, None)


def get_target(config: pytest.Config) -> Target:
    """The target, resolved once per process (a failure too: a hanging import waits out its limit
    once); a usage error when it cannot be used."""
    if _LOAD_ERROR_KEY in config.stash:
        raise pytest.UsageError(config.stash[_LOAD_ERROR_KEY])
    if _TARGET_KEY not in config.stash:
        try:
            config.stash[_TARGET_KEY] = load_target(config.getoption("impl"), names=config.stash.get(_NAMES_KEY, {}),
                                                    unwrap=config.getoption("conformance_unwrap"))
        except TargetError as exc:
            config.stash[_LOAD_ERROR_KEY] = str(exc)
            raise pytest.UsageError(str(exc)) from None
    return config.stash[_TARGET_KEY]


def _header(config: pytest.Config) -> list[str]:
    """The header every front-end prints (``conformance.reports.header``): the target as the user named it."""
    located = config.stash.get(_LOCATED_KEY, None)
    if _BATCH_KEY in config.stash:
        labels = [label for label, _ in config.stash[_BATCH_KEY]]
        spec, where = ", ".join(labels), f"{len(labels)} targets, each loaded and checked in a process of its own"
    elif located is not None and _TARGET_KEY not in config.stash:
        from conformance.loading.target import IMPORT_TIMEOUT_S

        where = "by the xdist workers" if is_xdist_controller(config) else "when a check first needs it"
        spec, where = located[0], f"{shown_path(located[1])}; imported {where}, limit {IMPORT_TIMEOUT_S:g} s"
    else:
        try:
            target = get_target(config)
        except pytest.UsageError:
            return []
        spec, where = target.spec, f"{shown_path(target.file)}; {provides(target.provided)}"
    profile, max_examples, _ = profiles.describe(config.stash[_PROFILE_KEY])
    seed = config.stash.get(_SEED_KEY, None)
    return header_lines(spec, where, profile=profile, max_examples=max_examples, device=config.getoption("device"),
                        seed=seed, replay=f"--hypothesis-seed={seed}")


def pytest_report_header(config: pytest.Config) -> list[str]:
    if config.getoption("conformance_cli"):
        return []  # the CLI's console prints it, also under its -q
    if not _collects_the_suite(config) and config.getoption("impl") is None and not os.environ.get("CONFORMANCE_IMPL"):
        return []  # not a run of the suite: a parametrize_with_checks names its own target once collected
    return _header(config)


def _bound_header(config: pytest.Config, bound: Any) -> list[str]:
    """The header of a user's ``parametrize_with_checks`` (its target, settings, seed), once per target."""
    headers = config.stash.setdefault(_BOUND_LINES_KEY, {})
    key = id(bound.target)
    if key not in headers:
        headers[key] = bound.header(config.stash[_PROFILE_KEY], config.getoption("hypothesis_seed", default=None))
    return headers[key]


def _show_bound_headers(config: pytest.Config, terminalreporter: Any) -> None:
    """Write each header of a user's ``parametrize_with_checks`` not yet shown (pytest's header options apply)."""
    headers = config.stash.get(_BOUND_HEADERS_KEY, {})
    if terminalreporter is None or not terminalreporter.showheader or terminalreporter.no_header:
        return
    for lines in [k for k, shown in headers.items() if not shown]:
        headers[lines] = True
        for line in lines:
            terminalreporter.write_line(line)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """The header of a user's ``parametrize_with_checks`` names its target, known once collected (under
    pytest-xdist the controller collects nothing: it shows the header atop the matrix)."""
    for item in session.items:
        lines = dict(item.user_properties).get(HEADER_PROPERTY)
        if isinstance(lines, list) and lines:
            session.config.stash.setdefault(_BOUND_HEADERS_KEY, {}).setdefault(tuple(lines), False)
    if getattr(session.config, "workerinput", None) is None:
        _show_bound_headers(session.config, session.config.pluginmanager.get_plugin("terminalreporter"))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if CHECK_KEY not in metafunc.fixturenames:
        return
    from conformance.core.registry import all_checks, select

    area = metafunc.module.AREA
    checks = select(all_checks(), area)
    if _BATCH_KEY in metafunc.config.stash:  # several targets: one test per (target, check), id label:check
        from conformance.frontends.plugin_batch import parametrize

        pairs, ids = parametrize(metafunc.config.stash[_BATCH_KEY], checks)
        metafunc.parametrize(CHECK_KEY, pairs, ids=ids)
        return
    from conformance.frontends.plugin_batch import LocalCheck

    metafunc.parametrize(CHECK_KEY, [LocalCheck(c) for c in checks], ids=[c.id for c in checks])


@pytest.fixture(scope="session")
def conformance_context(request: pytest.FixtureRequest) -> CheckContext:
    from conformance.core.context import CheckContext
    from conformance.core.registry import all_checks

    config = request.config
    timeout = config.getoption("check_timeout")
    expected = config.stash.get(_EXPECTED_KEY, None)
    widen = expected.widen(c.id for c in all_checks()) if expected else {}
    if _BATCH_KEY in config.stash:  # several targets: each loaded and checked in a child of this process
        from conformance.frontends.plugin_batch import PoolContext
        from conformance.sandbox.forked import TargetPool

        pool = TargetPool({"names": config.stash.get(_NAMES_KEY, {}), "device": config.getoption("device"),
                           "unwrap": config.getoption("conformance_unwrap"),
                           "call_timeout": timeout or None, "widen": widen, "seed": config.stash.get(_SEED_KEY, None),
                           "threads": config.getoption("conformance_threads") or None,
                           "tmp_dir": str(request.getfixturevalue("tmp_path_factory").mktemp("conformance"))})
        config.stash[_POOL_KEY] = pool
        request.addfinalizer(pool.close)
        gc.freeze()
        config.stash[_FROZEN_KEY] = True
        return PoolContext(pool)  # type: ignore[return-value]
    from conformance.execution.engine import preload

    preload()  # the same modules loaded as in a run over several targets: the same draws for a seed
    ctx = CheckContext(get_target(config), device=config.getoption("device"), call_timeout=timeout or None,
                       widen=widen, seed=config.stash.get(_SEED_KEY, None),
                       threads=config.getoption("conformance_threads") or None,
                       tmp_dir=str(request.getfixturevalue("tmp_path_factory").mktemp("conformance")))
    # torch, the target and Hypothesis are loaded: keep their millions of long-lived objects out of
    # every later garbage collection (a full one over them costs ~0.1 s, and pytest runs five at exit).
    gc.freeze()
    config.stash[_FROZEN_KEY] = True
    return ctx


def _bound_checks(values: Any) -> list:
    """The ``parametrize_with_checks`` parameters among ``values`` (none unless a test file used it)."""
    module = sys.modules.get("conformance.frontends.parametrize")
    return [] if module is None else [v for v in values if isinstance(v, module.BoundCheck)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _TARGET_ERROR_KEY in config.stash:  # an xdist worker that could not load the target
        ours = [i for i in items if CHECK_KEY in getattr(getattr(i, "callspec", None), "params", {})]
        items[:] = [i for i in items if i not in ours]
        config.hook.pytest_deselected(items=ours)
    expected = config.stash.get(_EXPECTED_KEY, None)
    for item in items:
        callspec = getattr(item, "callspec", None)
        bound = _bound_checks(callspec.params.values()) if callspec is not None else []
        if bound:  # a user's test parametrized with ``parametrize_with_checks``: gathered into the matrix too
            check, target = bound[0].check, bound[0].target
            item.user_properties.append((CHECK_KEY, (check.id, check.block, check.property, target_info(target))))
            item.user_properties.append((HEADER_PROPERTY, _bound_header(config, bound[0])))
            item.add_marker(pytest.mark.conformance)
        elif callspec is not None and CHECK_KEY in callspec.params:
            check = callspec.params[CHECK_KEY]
            item.user_properties.append((CHECK_KEY, (check.id, check.block, check.property, None)))
            if getattr(check, "label", None) is not None:  # a pair of a run over several targets
                from conformance.frontends.plugin_batch import TARGET_PROPERTY

                item.user_properties.append((TARGET_PROPERTY, check.label))
            item.add_marker(pytest.mark.conformance)
            mark = expected.mark(check.id, strict=config.getoption("strict_expected"),
                                 xfail_as_skip=config.getoption("xfail_as_skip")) if expected else None
            if mark is not None:
                item.add_marker(mark)
    if _BATCH_KEY in config.stash:
        from conformance.frontends.plugin_batch import target_major

        target_major(items, [label for label, _ in config.stash[_BATCH_KEY]])


_NOT_PROVIDED = re.compile(re.escape(NotProvided.PREFIX))
_NOT_CHECKED = re.compile(re.escape(NotChecked.PREFIX))


def _status(report: pytest.TestReport) -> str | None:
    if report.when == "???":  # pytest-xdist: the worker died while running it (see pytest_handlecrashitem)
        return "failed"
    if report.when == "call" or (report.when == "setup" and not report.passed):
        if _strict_xpass(report) is not None:
            return "xpass"
        if report.passed:
            return "xpass" if hasattr(report, "wasxfail") else "passed"
        if report.skipped:
            if hasattr(report, "wasxfail"):
                return "xfail"
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            if _NOT_CHECKED.search(reason):
                return "not checked"
            return "not provided" if _NOT_PROVIDED.search(reason) else "skipped"
        return "failed"
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """Count the Hypothesis examples the check executes (for the benchmarks' examples per second)."""
    funcargs = getattr(item, "funcargs", {})
    ctx = funcargs.get("conformance_context")
    if ctx is None:
        bound = _bound_checks(funcargs.values())
        ctx = bound[0].context if bound else None
    before = ctx.examples if ctx is not None else 0
    yield
    if ctx is not None:
        item.stash[_EXAMPLES_KEY] = ctx.examples - before
        item.stash[_NOTES_KEY] = (list(ctx.notes), ctx.causes[0] if ctx.causes else "", ctx.exercised)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Runs where the test ran (an xdist worker too): attach the failure's parts to the report, so
    the controller's JSON report has the reason, example and snippet, not just a traceback."""
    outcome = yield
    report = outcome.get_result()
    excinfo = call.excinfo
    if CHECK_KEY not in dict(item.user_properties):
        return
    if call.when == "call" and _EXAMPLES_KEY in item.stash:
        report.user_properties = [*report.user_properties, (EXAMPLES_KEY, item.stash[_EXAMPLES_KEY])]
    if call.when == "call" and _NOTES_KEY in item.stash:
        report.user_properties = [*report.user_properties, (NOTES_KEY, item.stash[_NOTES_KEY])]
    if excinfo is None:
        return
    if isinstance(excinfo.value, pytest.skip.Exception):
        return
    if report.failed and wants_brief(item.config):
        report.longrepr = brief(excinfo.value)
    fields = failure_fields(excinfo.value)
    fields["message"] = "\n".join([str(excinfo.value), *getattr(excinfo.value, "__notes__", [])]).strip()
    report.user_properties = [*report.user_properties, (FIELDS_KEY, fields)]


def _strict_xpass(report: pytest.TestReport) -> str | None:
    """The reason of an expected failure that passed under ``--strict-expected`` (pytest reports it
    as a failure, ``[XPASS(strict)] reason``, with no ``wasxfail``), or None."""
    text = report.longrepr if isinstance(report.longrepr, str) else ""
    if not (report.failed and text.startswith("[XPASS(strict)]")):
        return None
    return text.removeprefix("[XPASS(strict)]").strip()


def _reason(report: pytest.TestReport, status: str) -> str:
    if status in ("xfail", "xpass"):
        return f"expected to fail: {_strict_xpass(report) or getattr(report, 'wasxfail', '')}".strip()
    if status in ("skipped", "not provided", "not checked") and isinstance(report.longrepr, tuple):
        text = str(report.longrepr[2])
        text = re.sub(r"^([\w.]+(Exception|Skipped|NotProvided|NotChecked)|Skipped): ", "", text)
        return text.removeprefix(NotChecked.PREFIX) if status == "not checked" else text
    return ""


_PREFETCHED: list[threading.Thread] = []


def _prefetch_hypothesis() -> None:
    """In the xdist controller, import Hypothesis in the background while the workers run: its own
    plugin's terminal summary imports it once they are done, which would add ~1 s to every run."""
    if not _PREFETCHED and "hypothesis" not in sys.modules:
        thread = threading.Thread(target=importlib.import_module, args=("hypothesis",), daemon=True)
        _PREFETCHED.append(thread)
        thread.start()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Runs in the controller for every worker's report too, so results gather here under xdist."""
    if _CONFIG and is_xdist_controller(_CONFIG[-1]):
        _prefetch_hypothesis()
    properties: dict[str, Any] = dict(report.user_properties)  # ours: see pytest_collection_modifyitems
    info = properties.get(CHECK_KEY)
    status = _status(report)
    if info is None or status is None:
        return
    check_id, block, prop, bound_target = info
    results = _results_of(report)
    if results is None:
        return
    if bound_target is not None:  # checks of a user's parametrize_with_checks: report their target
        _CONFIG[-1].stash[_BOUND_TARGET_KEY] = bound_target
        if properties.get(HEADER_PROPERTY):  # under xdist, shown atop the matrix (the controller collected none)
            _CONFIG[-1].stash.setdefault(_BOUND_HEADERS_KEY, {}).setdefault(tuple(properties[HEADER_PROPERTY]), False)
    fields = dict(properties.get(FIELDS_KEY) or {})
    reason = _reason(report, status)
    if reason:
        fields["reason"] = reason + (f"\n{fields['reason']}" if fields.get("reason") else "")
    message = fields.pop("message", "")
    examples = int(properties.get(EXAMPLES_KEY) or 0)
    notes, cause, *more = properties.get(NOTES_KEY) or ([], "")
    exercised = more[0] if more else None  # judged examples that exercised the property
    if status == "not checked":
        cause = not_checked_cause(reason) or cause
    label = properties.get("conformance_target")  # plugin_batch.TARGET_PROPERTY: one of several targets
    results[(label, check_id) if label is not None else check_id] = Result(
        check_id, block, prop, status, message, report.duration, examples=examples, exercised=exercised,
        notes=list(notes), cause=cause, **fields)
    console = _CONFIG[-1].pluginmanager.get_plugin(CONSOLE)
    if console is not None:
        console.finished(check_id if label is None else f"{label}:{check_id}", status, report.duration)


_CONFIG: list[pytest.Config] = []


def _results_of(report: pytest.TestReport) -> dict | None:
    return _CONFIG[-1].stash[_RESULTS_KEY] if _CONFIG else None


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    _CONFIG.append(session.config)


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session: pytest.Session):
    """``-x`` / ``--maxfail=N`` exit 1 (tests failed), as in plain pytest. pytest-xdist's controller
    (every run of the suite but ``--in-process``) stops such a run by raising its ``Interrupted``, a
    KeyboardInterrupt: status 2, "interrupted", which a CI script reads as a broken run. pytest
    counted the same failures (``session.shouldfail``): raise its ``Failed``, as it would."""
    try:
        return (yield)
    except KeyboardInterrupt as exc:
        if (_collects_the_suite(session.config) and session.shouldfail and type(exc).__name__ == "Interrupted"
                and type(exc).__module__.startswith("xdist") and str(exc).startswith("stopping after ")):
            raise session.Failed(session.shouldfail) from None
        raise


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:  # pytest-xdist: in the controller, as a worker finishes
    output = getattr(node, "workeroutput", {})
    if output.get(ENVIRONMENT_OUTPUT) is not None:
        node.config.stash.setdefault(_ENVIRONMENT_KEY, output[ENVIRONMENT_OUTPUT])
    if output.get(ORDER_OUTPUT) is not None:
        node.config.stash.setdefault(_ORDER_KEY, output[ORDER_OUTPUT])
    if output.get(TARGET_ERROR_OUTPUT) is not None:
        node.config.stash.setdefault(_TARGET_ERROR_KEY, output[TARGET_ERROR_OUTPUT])
    from conformance.frontends.plugin_batch import INFOS_OUTPUT
    from conformance.frontends.shards import SHARD_KEY, SHARD_OUTPUT

    node.config.stash.setdefault(_INFOS_KEY, {}).update(output.get(INFOS_OUTPUT) or {})
    if output.get(SHARD_OUTPUT) is not None:
        node.config.stash.setdefault(SHARD_KEY, output[SHARD_OUTPUT])


@pytest.hookimpl(optionalhook=True)
def pytest_handlecrashitem(crashitem: str, report: pytest.TestReport, sched: Any) -> None:
    """pytest-xdist, in the controller: a worker died while running ``crashitem`` (it goes on in a
    fresh worker). Make that check's failure say how it died: the watchdog ending a hang, the target
    ending the process (with status 0 too), a signal (SIGKILL: itself, or the out-of-memory killer)."""
    match = re.search(r"\[(.+)\]$", crashitem)
    if match is None or not _CONFIG:
        return
    from conformance.core.registry import all_checks
    from conformance.frontends.batch import split_pair

    checks = {c.id: c for c in all_checks()}
    label, check_id = split_pair(match.group(1))
    check = checks.get(check_id)
    if check is None:
        return
    why = _crash_reason(_CONFIG[-1], check.id, getattr(report, "node", None))
    report.longrepr = f"{check.id}: {why}"
    fields = {"reason": why, "example": "", "snippet": "", "message": f"{check.id}: {why}"}
    report.user_properties = [(CHECK_KEY, (check.id, check.block, check.property, None)), (FIELDS_KEY, fields)]
    if label is not None and _BATCH_KEY in _CONFIG[-1].stash:
        report.user_properties.append(("conformance_target", label))


def _crash_reason(config: pytest.Config, check_id: str, node: Any) -> str:
    popen = getattr(getattr(getattr(node, "gateway", None), "_io", None), "popen", None)
    return crash_reason(check_id, popen, config.getoption("check_timeout") or 0,
                        "; the other checks ran in a fresh worker")


def _environment(config: pytest.Config) -> dict[str, Any] | None:
    """Where the checks ran (this process's, or under xdist the workers')."""
    if _ENVIRONMENT_KEY in config.stash:
        return config.stash[_ENVIRONMENT_KEY]
    if _BATCH_KEY in config.stash:  # several targets: the environment without one (each has its own section)
        if not config.stash.get(_RESULTS_KEY, None):
            return None
        return environment({}, config.getoption("device"), config.getoption("conformance_threads") or None)
    if _TARGET_KEY not in config.stash and not config.stash.get(_RESULTS_KEY, None):
        return None  # no check ran here (and the target, maybe torch, was never imported)
    try:
        target = get_target(config)
    except pytest.UsageError:
        return None
    return environment(target, config.getoption("device"), config.getoption("conformance_threads") or None)


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    if config.stash.get(_FROZEN_KEY, False):
        gc.freeze()  # and what the checks left: the collections at exit (pytest's, then Python's) skip it
    if _CONFIG and _CONFIG[-1] is config:
        _CONFIG.pop()
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller writes the reports, with this
        from conformance.core.registry import all_checks

        env = _environment(config)
        if env is not None:
            workeroutput[ENVIRONMENT_OUTPUT] = env
        workeroutput[ORDER_OUTPUT] = [c.id for c in all_checks()]
        if _TARGET_ERROR_KEY in config.stash:
            workeroutput[TARGET_ERROR_OUTPUT] = config.stash[_TARGET_ERROR_KEY]
        from conformance.frontends.plugin_batch import INFOS_OUTPUT
        from conformance.frontends.shards import SHARD_KEY, SHARD_OUTPUT

        if _POOL_KEY in config.stash:
            workeroutput[INFOS_OUTPUT] = config.stash[_POOL_KEY].infos
        if SHARD_KEY in config.stash:
            workeroutput[SHARD_OUTPUT] = config.stash[SHARD_KEY]
        return
    from conformance.frontends.shards import SHARD_KEY

    if SHARD_KEY in config.stash and session.exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.OK  # a shard with no pair of its own (more shards than pairs)
    error = _checked_nothing(session)
    if error:  # the workers could not load the target, or nothing was checked: a usage error
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"ERROR: {error}", red=True, bold=True)
        session.exitstatus = pytest.ExitCode.USAGE_ERROR
    batch = _BATCH_KEY in config.stash
    if config.stash.get(_RESULTS_KEY, {}) and session.exitstatus == 0 and (
            not build_batch_report(config).ok if batch else build_report(config).unconfirmed()):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED  # a not-checked result whose cause did not fail
    json_path, md_path = config.getoption("conformance_report"), config.getoption("conformance_report_md")
    if json_path or md_path:
        report = build_batch_report(config) if batch else build_report(config)
        base = Path(config.invocation_params.dir)
        if json_path:
            report.write_json(base / json_path)
        if md_path:
            report.write_markdown(base / md_path)


def _checked_nothing(session: pytest.Session) -> str | None:
    """Why a run of the suite checked nothing (a usage error, never a green run), or None."""
    config = session.config
    if _TARGET_ERROR_KEY in config.stash:
        return config.stash[_TARGET_ERROR_KEY]
    results = config.stash.get(_RESULTS_KEY, {})
    if results and _BATCH_KEY not in config.stash and all(r.status == "not provided" for r in results.values()):
        target = _reported_target(config) or {}
        spec = target.get("target_spec") or (config.stash.get(_LOCATED_KEY, None) or ("?",))[0]
        return not_provided_error(spec, target.get("provides"), len(results))
    keyword = config.stash.get(_KEYWORD_KEY, config.getoption("keyword", ""))
    if (session.exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED and keyword
            and runs_the_suite(config.args, config.invocation_params.dir, bool(config.getoption("pyargs", False)))):
        from conformance.core.registry import all_checks

        return keyword_error(keyword, (c.id for c in all_checks()), config.stash.get(_NAMES_KEY, {}))
    return None


def _reported_target(config: pytest.Config) -> dict | None:
    """The target the gathered results are about: that of a user's ``parametrize_with_checks`` when
    its checks ran, else ``--impl``'s."""
    env = _environment(config)
    bound = config.stash.get(_BOUND_TARGET_KEY, None)
    if env is None and bound is None:
        return None
    return {**(env or {}), **(bound or {})}


def build_report(config: pytest.Config) -> Report:
    """The run's Report, from the results gathered in this (controller) process."""
    target = _reported_target(config)
    expected = config.stash.get(_EXPECTED_KEY, None)
    results = config.stash.get(_RESULTS_KEY, {})
    profile, max_examples, _ = profiles.describe(config.stash[_PROFILE_KEY])
    metadata = run_metadata(
        target, profile=profile, max_examples=max_examples,
        seed=config.stash.get(_SEED_KEY, None),
        expected=expected.source if expected else None,
        widened=expected.widen(r.id for r in results.values()) if expected else {},
        strict_expected=config.getoption("strict_expected"), call_timeout=config.getoption("check_timeout") or None,
    ) if target is not None else {}
    metadata["workers"] = getattr(config.option, "numprocesses", None)
    from conformance.frontends.shards import SHARD_KEY

    if SHARD_KEY in config.stash:
        metadata["shard"] = config.stash[SHARD_KEY]
    report = Report(results=list(results.values()), metadata=metadata)
    order = config.stash.get(_ORDER_KEY, None)
    if order is None:  # not under xdist (or no worker finished): this process has the registry
        from conformance.core.registry import all_checks

        order = [c.id for c in all_checks()]
    report.sort(order)
    return report


def build_batch_report(config: pytest.Config) -> Any:
    """The BatchReport of a run over several targets: per target, its results (registry order) and
    what it is; shared, the run's metadata (as a single target's run records it, less the target)."""
    from conformance.reports.combined import TARGET_KEYS, BatchReport

    results = config.stash.get(_RESULTS_KEY, {})
    pool = config.stash.get(_POOL_KEY, None)
    stored: dict = config.stash.get(_INFOS_KEY, {})
    infos = {**stored}
    infos.update(pool.infos if pool is not None else {})
    env = dict(_environment(config) or {})
    shared = build_report(config).metadata if env else {}
    shared = {k: v for k, v in shared.items() if k not in TARGET_KEYS}
    order = config.stash.get(_ORDER_KEY, None)
    if order is None:
        from conformance.core.registry import all_checks

        order = [c.id for c in all_checks()]
    targets = {}
    for label, spec in config.stash[_BATCH_KEY]:
        mine = [r for key, r in results.items() if isinstance(key, tuple) and key[0] == label]
        info = infos.get(label) or {"target": label, "target_spec": spec, "target_file": locate_target(spec)[1],
                                    "target_version": None, "provides": None}
        report = Report(results=mine, metadata={k: info.get(k) for k in TARGET_KEYS})
        report.sort(order)
        targets[label] = report
    return BatchReport(targets, shared)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if not config.stash.get(_RESULTS_KEY, {}):
        return
    if _BATCH_KEY in config.stash:
        terminalreporter.section("conformance matrix")
        for line in str(build_batch_report(config)).splitlines():
            terminalreporter.write_line(line)
        return
    report = build_report(config)  # the same Report the API returns and --report writes
    terminalreporter.section("conformance matrix")
    _show_bound_headers(config, terminalreporter)
    meta = report.metadata
    if meta.get("target"):
        terminalreporter.write_line(f"target: {meta.get('target_spec') or meta['target']} "
                                    f"({meta['target_file'] or 'no file'})")
    for line in str(report).splitlines():
        terminalreporter.write_line(line)
    if one_line(config) and report.failures():
        terminalreporter.write_line(ONE_LINE_HINT)

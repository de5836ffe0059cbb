"""The pytest plugin's options and configuration: its command-line options, the worker layout a run
of the suite gets, and ``configure``: the target(s), the profile, the seed, the expected-failures
file, ``--name``, ``-k`` by the target's own names, ``--shard``, and the usage errors found before
anything runs. The stash keys and report properties the other ``plugin_*`` modules share are here.

Importing it imports neither torch nor the target (``plugin``'s docstring says why)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import pytest

from conformance.core.errors import UsageError
from conformance.drawing import profiles
from conformance.frontends.expected import Expectations, ExpectedFileError
from conformance.frontends.usage import check_suite_args, check_writable, own_names_keyword
from conformance.loading.target import (
    Target,
    TargetError,
    load_target,
    locate_target,
    parse_names,
    refuse_missing_names,
)
from conformance.reports.brief import use_one_line
from conformance.reports.metadata import new_seed
from conformance.reports.progress import MODES
from conformance.sandbox.timeouts import DEFAULT_CALL_TIMEOUT_S, DEFAULT_MEMORY_LIMIT_GIB, enable_watchdog, limit_memory

CHECK_KEY = "conformance_check"


TARGET_KEY = pytest.StashKey[Target]()


RESULTS_KEY = pytest.StashKey[dict]()


EXPECTED_KEY = pytest.StashKey["Expectations | None"]()


SEED_KEY = pytest.StashKey["int | str | None"]()


BOUND_TARGET_KEY = pytest.StashKey[dict]()


FIELDS_KEY = "conformance_failure"


NOTES_KEY = "conformance_notes"


EXAMPLES_KEY = "conformance_examples"


EXAMPLES_STASH = pytest.StashKey[int]()


NOTES_STASH = pytest.StashKey[tuple]()


LOCATED_KEY = pytest.StashKey["tuple[str, str | None]"]()


ENVIRONMENT_KEY = pytest.StashKey[dict]()


ORDER_KEY = pytest.StashKey[list]()


PROFILE_KEY = pytest.StashKey[str]()


FROZEN_KEY = pytest.StashKey[bool]()


TARGET_ERROR_KEY = pytest.StashKey[str]()


NAMES_KEY = pytest.StashKey[dict]()


LOAD_ERROR_KEY = pytest.StashKey[str]()


KEYWORD_KEY = pytest.StashKey[str]()  # -k as given (the option holds it with --name's own names mapped)


BOUND_HEADERS_KEY = pytest.StashKey[dict]()  # parametrize_with_checks: header lines -> shown yet


BOUND_LINES_KEY = pytest.StashKey[dict]()  # parametrize_with_checks: id of a target -> its header lines


HEADER_PROPERTY = "conformance_header"


BATCH_KEY = pytest.StashKey["list[tuple[str, str]]"]()  # several targets: (label, spec) each


INFOS_KEY = pytest.StashKey[dict]()


POOL_KEY = pytest.StashKey[Any]()


CONSOLE = "conformance-console"


ENVIRONMENT_OUTPUT = "conformance_environment"


TARGET_ERROR_OUTPUT = "conformance_target_error"


ORDER_OUTPUT = "conformance_order"


CONFIGS: list[pytest.Config] = []


def add_options(parser: pytest.Parser) -> None:
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
    group.addoption("--spec", action="append", default=[], metavar="FILE", dest="conformance_specs",
                    help="a file declaring blocks of your own (conformance.database.declare), checked like the "
                         "chapter's (repeatable)")
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


def cmdline_main(config: pytest.Config) -> None:
    """A run of the suite given no worker layout runs its checks in one pytest-xdist worker (``-n 1``),
    as the CLI does: a target that ends the process, even with status 0 from C, is killed or hangs
    where no signal reaches fails the check it was running instead of ending the run green.
    ``--in-process`` (or ``-p no:xdist``, ``-n 0``) keeps them in this process."""
    option = config.option
    if (getattr(config, "workerinput", None) is not None or not config.pluginmanager.has_plugin("xdist")
            or getattr(option, "numprocesses", None) is not None or getattr(option, "dist", "no") != "no"
            or option.collectonly or getattr(option, "usepdb", False) or option.conformance_in_process
            or not collects_the_suite(config)):
        return
    option.numprocesses, option.dist, option.tx = 1, "load", ["popen"]  # what xdist's own hook makes of -n 1


def collects_the_suite(config: pytest.Config) -> bool:
    """The run's arguments name this package (a path inside it, or ``--pyargs conformance``)."""
    from conformance.frontends.usage import runs_the_suite

    return runs_the_suite(config.args, config.invocation_params.dir, bool(config.option.pyargs))


def configure(config: pytest.Config) -> None:
    controller = is_xdist_controller(config)
    worker = getattr(config, "workerinput", None) is not None
    if not worker:
        _check_user_input(config)  # before anything runs: a typo'd path fails now, not after the run
    _choose_targets(config)
    if not worker and collects_the_suite(config):
        use_one_line(config)  # one line per failing check unless -v (the matrix and the reports have them all)
    if not collects_the_suite(config):
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
    config.stash[PROFILE_KEY] = chosen or profiles.default_profile()
    config.stash[RESULTS_KEY] = {}
    config.stash[SEED_KEY] = _choose_seed(config)
    if config.getoption("conformance_specs"):
        from conformance.database.store import load_spec_files

        try:  # before anything lists the checks: the declared blocks' checks are among them
            load_spec_files(config.getoption("conformance_specs"), relative_to=config.invocation_params.dir)
        except UsageError as exc:
            raise pytest.UsageError(str(exc)) from None
    if config.getoption("conformance_shard") and collects_the_suite(config):
        _shard(config)
    if config.getoption("expected"):
        from conformance.core.registry import all_checks

        try:
            config.stash[EXPECTED_KEY] = Expectations.resolve(config.getoption("expected"),
                                                               [c.id for c in all_checks()])
        except ExpectedFileError as exc:
            raise pytest.UsageError(str(exc)) from None
    try:
        expected = config.stash.get(EXPECTED_KEY, None)
        config.stash[NAMES_KEY] = {**(expected.names if expected else {}),
                                    **parse_names(config.getoption("conformance_names"))}
    except TargetError as exc:
        raise pytest.UsageError(str(exc)) from None
    explicit = config.getoption("impl") is not None or bool(os.environ.get("CONFORMANCE_IMPL"))
    if config.stash[NAMES_KEY] and BATCH_KEY not in config.stash and (explicit or collects_the_suite(config)):
        try:
            refuse_missing_names(config.getoption("impl"), config.stash[NAMES_KEY])  # read, not imported: no torch
        except TargetError as exc:
            raise pytest.UsageError(str(exc)) from None
    if config.getoption("keyword", "") and config.stash[NAMES_KEY] and collects_the_suite(config):
        # -k Dense (--name Linear=Dense) selects linear's checks: the ids use the contract's names
        config.stash[KEYWORD_KEY] = config.option.keyword
        config.option.keyword = own_names_keyword(config.option.keyword, config.stash[NAMES_KEY],
                                                  several=BATCH_KEY in config.stash)
    if BATCH_KEY in config.stash:
        try:
            for _, spec in config.stash[BATCH_KEY]:
                locate_target(spec)  # exists; what importing it raises is that target's error, not the run's
        except TargetError as exc:
            raise pytest.UsageError(str(exc)) from None
    elif controller or not explicit:
        # Only check that the target exists. The xdist workers import it; without --impl (the
        # built-in torch target) it is imported when a check first needs it, so a pytest run of
        # other tests in an environment with this plugin does not import torch.
        try:
            config.stash[LOCATED_KEY] = locate_target(config.getoption("impl"))
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
            config.stash[TARGET_ERROR_KEY] = str(exc)
    config.addinivalue_line("markers", "conformance: a check of the conformance suite")


def _choose_targets(config: pytest.Config) -> None:
    """``--impl`` values (repeated, globs, directories) -> one target (``config.option.impl``, as
    before), or several (``BATCH_KEY``: label and spec each)."""
    from conformance.frontends.batch import expand, labels

    try:
        specs = expand(config.getoption("impl") or [], config.invocation_params.dir)
        names = labels(specs)
    except UsageError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.option.impl = specs[0] if len(specs) == 1 else None
    if len(specs) > 1:
        config.stash[BATCH_KEY] = list(zip(names, specs, strict=True))


def _shard(config: pytest.Config) -> None:
    """``--shard K/N``: keep this shard's pairs (after ``-k``); a usage error without a fixed seed."""
    from conformance.frontends.plugin_batch import pair_of
    from conformance.frontends.shards import ShardSelector, parse_shard

    try:
        index, count = parse_shard(config.getoption("conformance_shard"))
    except UsageError as exc:
        raise pytest.UsageError(str(exc)) from None
    if config.stash[SEED_KEY] is not None and config.getoption("hypothesis_seed", default=None) is None \
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
    return None if profiles.describe(config.stash[PROFILE_KEY])[2] else new_seed()


def get_target(config: pytest.Config) -> Target:
    """The target, resolved once per process (a failure too: a hanging import waits out its limit
    once); a usage error when it cannot be used."""
    if LOAD_ERROR_KEY in config.stash:
        raise pytest.UsageError(config.stash[LOAD_ERROR_KEY])
    if TARGET_KEY not in config.stash:
        try:
            config.stash[TARGET_KEY] = load_target(config.getoption("impl"), names=config.stash.get(NAMES_KEY, {}),
                                                    unwrap=config.getoption("conformance_unwrap"))
        except TargetError as exc:
            config.stash[LOAD_ERROR_KEY] = str(exc)
            raise pytest.UsageError(str(exc)) from None
    return config.stash[TARGET_KEY]

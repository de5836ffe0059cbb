"""The pytest plugin's collection: one test per check id (``label:check_id`` per target in a batch),
the context the suite's tests run with, the marks of the expected-failures file, and the header
(``--impl``'s target, or each ``parametrize_with_checks``' own)."""

from __future__ import annotations

import gc
import os
import sys
from typing import TYPE_CHECKING, Any

import pytest

from conformance.drawing import profiles
from conformance.frontends.plugin_config import (
    BATCH_KEY,
    BOUND_HEADERS_KEY,
    BOUND_LINES_KEY,
    CHECK_KEY,
    EXPECTED_KEY,
    FROZEN_KEY,
    HEADER_PROPERTY,
    LOCATED_KEY,
    NAMES_KEY,
    POOL_KEY,
    PROFILE_KEY,
    SEED_KEY,
    TARGET_ERROR_KEY,
    TARGET_KEY,
    collects_the_suite,
    get_target,
    is_xdist_controller,
)
from conformance.reports.header import header_lines, provides, shown_path
from conformance.reports.metadata import target_info

if TYPE_CHECKING:
    from conformance.core.context import CheckContext


def header(config: pytest.Config) -> list[str]:
    """The header every front-end prints (``conformance.reports.header``): the target as the user named it."""
    located = config.stash.get(LOCATED_KEY, None)
    if BATCH_KEY in config.stash:
        labels = [label for label, _ in config.stash[BATCH_KEY]]
        spec, where = ", ".join(labels), f"{len(labels)} targets, each loaded and checked in a process of its own"
    elif located is not None and TARGET_KEY not in config.stash:
        from conformance.loading.target import IMPORT_TIMEOUT_S

        where = "by the xdist workers" if is_xdist_controller(config) else "when a check first needs it"
        spec, where = located[0], f"{shown_path(located[1])}; imported {where}, limit {IMPORT_TIMEOUT_S:g} s"
    else:
        try:
            target = get_target(config)
        except pytest.UsageError:
            return []
        spec, where = target.spec, f"{shown_path(target.file)}; {provides(target.provided)}"
    profile, max_examples, _ = profiles.describe(config.stash[PROFILE_KEY])
    seed = config.stash.get(SEED_KEY, None)
    return header_lines(spec, where, profile=profile, max_examples=max_examples, device=config.getoption("device"),
                        seed=seed, replay=f"--hypothesis-seed={seed}")


def report_header(config: pytest.Config) -> list[str]:
    if config.getoption("conformance_cli"):
        return []  # the CLI's console prints it, also under its -q
    if not collects_the_suite(config) and config.getoption("impl") is None and not os.environ.get("CONFORMANCE_IMPL"):
        return []  # not a run of the suite: a parametrize_with_checks names its own target once collected
    return header(config)


def bound_header(config: pytest.Config, bound: Any) -> list[str]:
    """The header of a user's ``parametrize_with_checks`` (its target, settings, seed), once per target."""
    headers = config.stash.setdefault(BOUND_LINES_KEY, {})
    key = id(bound.target)
    if key not in headers:
        headers[key] = bound.header(config.stash[PROFILE_KEY], config.getoption("hypothesis_seed", default=None))
    return headers[key]


def show_bound_headers(config: pytest.Config, terminalreporter: Any) -> None:
    """Write each header of a user's ``parametrize_with_checks`` not yet shown (pytest's header options apply)."""
    headers = config.stash.get(BOUND_HEADERS_KEY, {})
    if terminalreporter is None or not terminalreporter.showheader or terminalreporter.no_header:
        return
    for lines in [k for k, shown in headers.items() if not shown]:
        headers[lines] = True
        for line in lines:
            terminalreporter.write_line(line)


def collection_finish(session: pytest.Session) -> None:
    """The header of a user's ``parametrize_with_checks`` names its target, known once collected (under
    pytest-xdist the controller collects nothing: it shows the header atop the matrix)."""
    for item in session.items:
        lines = dict(item.user_properties).get(HEADER_PROPERTY)
        if isinstance(lines, list) and lines:
            session.config.stash.setdefault(BOUND_HEADERS_KEY, {}).setdefault(tuple(lines), False)
    if getattr(session.config, "workerinput", None) is None:
        show_bound_headers(session.config, session.config.pluginmanager.get_plugin("terminalreporter"))


def generate_tests(metafunc: pytest.Metafunc) -> None:
    if CHECK_KEY not in metafunc.fixturenames:
        return
    from conformance.core.registry import all_checks, select

    area = metafunc.module.AREA
    checks = select(all_checks(), area)
    if BATCH_KEY in metafunc.config.stash:  # several targets: one test per (target, check), id label:check
        from conformance.frontends.plugin_batch import parametrize

        pairs, ids = parametrize(metafunc.config.stash[BATCH_KEY], checks)
        metafunc.parametrize(CHECK_KEY, pairs, ids=ids)
        return
    from conformance.frontends.plugin_batch import LocalCheck

    metafunc.parametrize(CHECK_KEY, [LocalCheck(c) for c in checks], ids=[c.id for c in checks])


def make_context(request: pytest.FixtureRequest) -> CheckContext:
    from conformance.core.context import CheckContext
    from conformance.core.registry import all_checks

    config = request.config
    timeout = config.getoption("check_timeout")
    expected = config.stash.get(EXPECTED_KEY, None)
    widen = expected.widen(c.id for c in all_checks()) if expected else {}
    properties = selected_properties(request.session)
    if BATCH_KEY in config.stash:  # several targets: each loaded and checked in a child of this process
        from conformance.frontends.plugin_batch import PoolContext
        from conformance.sandbox.forked import TargetPool

        pool = TargetPool({"names": config.stash.get(NAMES_KEY, {}), "device": config.getoption("device"),
                           "unwrap": config.getoption("conformance_unwrap"),
                           "call_timeout": timeout or None, "widen": widen, "seed": config.stash.get(SEED_KEY, None),
                           "threads": config.getoption("conformance_threads") or None, "properties": properties,
                           "tmp_dir": str(request.getfixturevalue("tmp_path_factory").mktemp("conformance"))})
        config.stash[POOL_KEY] = pool
        request.addfinalizer(pool.close)
        gc.freeze()
        config.stash[FROZEN_KEY] = True
        return PoolContext(pool)  # type: ignore[return-value]
    from conformance.execution.engine import preload

    preload(properties)  # the same modules loaded as in a run over several targets: the same draws for a seed
    ctx = CheckContext(get_target(config), device=config.getoption("device"), call_timeout=timeout or None,
                       widen=widen, seed=config.stash.get(SEED_KEY, None),
                       threads=config.getoption("conformance_threads") or None,
                       tmp_dir=str(request.getfixturevalue("tmp_path_factory").mktemp("conformance")))
    # torch, the target and Hypothesis are loaded: keep their millions of long-lived objects out of
    # every later garbage collection (a full one over them costs ~0.1 s, and pytest runs five at exit).
    gc.freeze()
    config.stash[FROZEN_KEY] = True
    return ctx


def selected_properties(session: pytest.Session) -> set[str]:
    """The properties of the checks this process collected (``preload`` steps an optimizer only for some)."""
    properties = set()
    for item in session.items:
        callspec = getattr(item, "callspec", None)
        check = callspec.params.get(CHECK_KEY) if callspec is not None else None
        if check is not None:
            properties.add(check.property)
    return properties


def bound_checks(values: Any) -> list:
    """The ``parametrize_with_checks`` parameters among ``values`` (none unless a test file used it)."""
    module = sys.modules.get("conformance.frontends.parametrize")
    return [] if module is None else [v for v in values if isinstance(v, module.BoundCheck)]


def modify_items(config: pytest.Config, items: list[pytest.Item]) -> None:
    if TARGET_ERROR_KEY in config.stash:  # an xdist worker that could not load the target
        ours = [i for i in items if CHECK_KEY in getattr(getattr(i, "callspec", None), "params", {})]
        items[:] = [i for i in items if i not in ours]
        config.hook.pytest_deselected(items=ours)
    expected = config.stash.get(EXPECTED_KEY, None)
    for item in items:
        callspec = getattr(item, "callspec", None)
        bound = bound_checks(callspec.params.values()) if callspec is not None else []
        if bound:  # a user's test parametrized with ``parametrize_with_checks``: gathered into the matrix too
            check, target = bound[0].check, bound[0].target
            item.user_properties.append((CHECK_KEY, (check.id, check.block, check.property, target_info(target))))
            item.user_properties.append((HEADER_PROPERTY, bound_header(config, bound[0])))
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
    if BATCH_KEY in config.stash:
        from conformance.frontends.plugin_batch import target_major

        target_major(items, [label for label, _ in config.stash[BATCH_KEY]])

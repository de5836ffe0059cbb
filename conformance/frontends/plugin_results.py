"""The pytest plugin's results and reports: each check's outcome read from pytest's reports (with the
failure's parts, examples and notes attached where it ran, gathered where the run reports), the
Report or BatchReport built from them (the same the API returns), the exit status, the report
files and the matrix at the end."""

from __future__ import annotations

import importlib
import re
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from conformance.core.failures import NotChecked, NotProvided, failure_fields, not_checked_cause
from conformance.drawing import profiles
from conformance.frontends.plugin_collect import bound_checks, show_bound_headers
from conformance.frontends.plugin_config import (
    BATCH_KEY,
    BOUND_HEADERS_KEY,
    BOUND_TARGET_KEY,
    CHECK_KEY,
    CONFIGS,
    CONSOLE,
    ENVIRONMENT_KEY,
    EXAMPLES_KEY,
    EXAMPLES_STASH,
    EXPECTED_KEY,
    FIELDS_KEY,
    HEADER_PROPERTY,
    INFOS_KEY,
    KEYWORD_KEY,
    LOCATED_KEY,
    NAMES_KEY,
    NOTES_KEY,
    NOTES_STASH,
    ORDER_KEY,
    POOL_KEY,
    PROFILE_KEY,
    RESULTS_KEY,
    SEED_KEY,
    TARGET_ERROR_KEY,
    TARGET_KEY,
    get_target,
    is_xdist_controller,
)
from conformance.frontends.usage import keyword_error, not_provided_error, runs_the_suite
from conformance.loading.target import locate_target
from conformance.reports.brief import ONE_LINE_HINT, brief, one_line, wants_brief
from conformance.reports.metadata import environment, run_metadata
from conformance.reports.report import Report, Result

_NOT_PROVIDED = re.compile(re.escape(NotProvided.PREFIX))


_NOT_CHECKED = re.compile(re.escape(NotChecked.PREFIX))


def _status(report: pytest.TestReport) -> str | None:
    if report.when == "???":  # pytest-xdist: the worker died while running it (see crashed_item)
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


def context_of(item: pytest.Item) -> tuple[Any, int]:
    """The context a check of the suite (or of a ``parametrize_with_checks``) runs with, and how
    many Hypothesis examples it has run so far: (None, 0) for any other test."""
    funcargs = getattr(item, "funcargs", {})
    ctx = funcargs.get("conformance_context")
    if ctx is None:
        bound = bound_checks(funcargs.values())
        ctx = bound[0].context if bound else None
    return ctx, (ctx.examples if ctx is not None else 0)


def count_examples(item: pytest.Item, ctx: Any, before: int) -> None:
    """Record the Hypothesis examples the check executed (for the benchmarks' examples per second),
    its notes and its cause, for the report."""
    if ctx is not None:
        item.stash[EXAMPLES_STASH] = ctx.examples - before
        item.stash[NOTES_STASH] = (list(ctx.notes), ctx.causes[0] if ctx.causes else "", ctx.exercised)


def attach_parts(item: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport) -> None:
    """Runs where the test ran (an xdist worker too): attach the failure's parts to the report, so
    the controller's JSON report has the reason, example and snippet, not just a traceback."""
    excinfo = call.excinfo
    if CHECK_KEY not in dict(item.user_properties):
        return
    if call.when == "call" and EXAMPLES_STASH in item.stash:
        report.user_properties = [*report.user_properties, (EXAMPLES_KEY, item.stash[EXAMPLES_STASH])]
    if call.when == "call" and NOTES_STASH in item.stash:
        report.user_properties = [*report.user_properties, (NOTES_KEY, item.stash[NOTES_STASH])]
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


def prefetch_hypothesis() -> None:
    """In the xdist controller, import Hypothesis in the background while the workers run: its own
    plugin's terminal summary imports it once they are done, which would add ~1 s to every run."""
    if not _PREFETCHED and "hypothesis" not in sys.modules:
        thread = threading.Thread(target=importlib.import_module, args=("hypothesis",), daemon=True)
        _PREFETCHED.append(thread)
        thread.start()


def gather(report: pytest.TestReport) -> None:
    """Runs in the controller for every worker's report too, so results gather here under xdist."""
    if CONFIGS and is_xdist_controller(CONFIGS[-1]):
        prefetch_hypothesis()
    properties: dict[str, Any] = dict(report.user_properties)  # ours: see modify_items
    info = properties.get(CHECK_KEY)
    status = _status(report)
    if info is None or status is None:
        return
    check_id, block, prop, bound_target = info
    results = _results_of(report)
    if results is None:
        return
    if bound_target is not None:  # checks of a user's parametrize_with_checks: report their target
        CONFIGS[-1].stash[BOUND_TARGET_KEY] = bound_target
        if properties.get(HEADER_PROPERTY):  # under xdist, shown atop the matrix (the controller collected none)
            CONFIGS[-1].stash.setdefault(BOUND_HEADERS_KEY, {}).setdefault(tuple(properties[HEADER_PROPERTY]), False)
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
    console = CONFIGS[-1].pluginmanager.get_plugin(CONSOLE)
    if console is not None:
        console.finished(check_id if label is None else f"{label}:{check_id}", status, report.duration)


def _results_of(report: pytest.TestReport) -> dict | None:
    return CONFIGS[-1].stash[RESULTS_KEY] if CONFIGS else None


def environment_of(config: pytest.Config) -> dict[str, Any] | None:
    """Where the checks ran (this process's, or under xdist the workers')."""
    if ENVIRONMENT_KEY in config.stash:
        return config.stash[ENVIRONMENT_KEY]
    if BATCH_KEY in config.stash:  # several targets: the environment without one (each has its own section)
        if not config.stash.get(RESULTS_KEY, None):
            return None
        return environment({}, config.getoption("device"), config.getoption("conformance_threads") or None)
    if TARGET_KEY not in config.stash and not config.stash.get(RESULTS_KEY, None):
        return None  # no check ran here (and the target, maybe torch, was never imported)
    try:
        target = get_target(config)
    except pytest.UsageError:
        return None
    return environment(target, config.getoption("device"), config.getoption("conformance_threads") or None)


def session_finish(session: pytest.Session) -> None:
    """In the process that reports (the xdist controller, or a serial run): the exit status (a
    usage error when nothing was checked, a failure when a result is unconfirmed) and the report files."""
    config = session.config
    from conformance.frontends.shards import SHARD_KEY

    if SHARD_KEY in config.stash and session.exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.OK  # a shard with no pair of its own (more shards than pairs)
    error = _checked_nothing(session)
    if error:  # the workers could not load the target, or nothing was checked: a usage error
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"ERROR: {error}", red=True, bold=True)
        session.exitstatus = pytest.ExitCode.USAGE_ERROR
    batch = BATCH_KEY in config.stash
    if config.stash.get(RESULTS_KEY, {}) and session.exitstatus == 0 and (
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
    if TARGET_ERROR_KEY in config.stash:
        return config.stash[TARGET_ERROR_KEY]
    results = config.stash.get(RESULTS_KEY, {})
    if results and BATCH_KEY not in config.stash and all(r.status == "not provided" for r in results.values()):
        target = _reported_target(config) or {}
        spec = target.get("target_spec") or (config.stash.get(LOCATED_KEY, None) or ("?",))[0]
        return not_provided_error(spec, target.get("provides"), len(results))
    keyword = config.stash.get(KEYWORD_KEY, config.getoption("keyword", ""))
    if (session.exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED and keyword
            and runs_the_suite(config.args, config.invocation_params.dir, bool(config.getoption("pyargs", False)))):
        from conformance.core.registry import all_checks

        return keyword_error(keyword, (c.id for c in all_checks()), config.stash.get(NAMES_KEY, {}))
    return None


def _reported_target(config: pytest.Config) -> dict | None:
    """The target the gathered results are about: that of a user's ``parametrize_with_checks`` when
    its checks ran, else ``--impl``'s."""
    env = environment_of(config)
    bound = config.stash.get(BOUND_TARGET_KEY, None)
    if env is None and bound is None:
        return None
    return {**(env or {}), **(bound or {})}


def build_report(config: pytest.Config) -> Report:
    """The run's Report, from the results gathered in this (controller) process."""
    target = _reported_target(config)
    expected = config.stash.get(EXPECTED_KEY, None)
    results = config.stash.get(RESULTS_KEY, {})
    profile, max_examples, _ = profiles.describe(config.stash[PROFILE_KEY])
    metadata = run_metadata(
        target, profile=profile, max_examples=max_examples,
        seed=config.stash.get(SEED_KEY, None),
        expected=expected.source if expected else None,
        widened=expected.widen(r.id for r in results.values()) if expected else {},
        strict_expected=config.getoption("strict_expected"), call_timeout=config.getoption("check_timeout") or None,
    ) if target is not None else {}
    metadata["workers"] = getattr(config.option, "numprocesses", None)
    from conformance.frontends.shards import SHARD_KEY

    if SHARD_KEY in config.stash:
        metadata["shard"] = config.stash[SHARD_KEY]
    report = Report(results=list(results.values()), metadata=metadata)
    order = config.stash.get(ORDER_KEY, None)
    if order is None:  # not under xdist (or no worker finished): this process has the registry
        from conformance.core.registry import all_checks

        order = [c.id for c in all_checks()]
    report.sort(order)
    return report


def build_batch_report(config: pytest.Config) -> Any:
    """The BatchReport of a run over several targets: per target, its results (registry order) and
    what it is; shared, the run's metadata (as a single target's run records it, less the target)."""
    from conformance.reports.combined import TARGET_KEYS, BatchReport

    results = config.stash.get(RESULTS_KEY, {})
    pool = config.stash.get(POOL_KEY, None)
    stored: dict = config.stash.get(INFOS_KEY, {})
    infos = {**stored}
    infos.update(pool.infos if pool is not None else {})
    env = dict(environment_of(config) or {})
    shared = build_report(config).metadata if env else {}
    shared = {k: v for k, v in shared.items() if k not in TARGET_KEYS}
    order = config.stash.get(ORDER_KEY, None)
    if order is None:
        from conformance.core.registry import all_checks

        order = [c.id for c in all_checks()]
    targets = {}
    for label, spec in config.stash[BATCH_KEY]:
        mine = [r for key, r in results.items() if isinstance(key, tuple) and key[0] == label]
        info = infos.get(label) or {"target": label, "target_spec": spec, "target_file": locate_target(spec)[1],
                                    "target_version": None, "provides": None}
        report = Report(results=mine, metadata={k: info.get(k) for k in TARGET_KEYS})
        report.sort(order)
        targets[label] = report
    return BatchReport(targets, shared)


def terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if not config.stash.get(RESULTS_KEY, {}):
        return
    if BATCH_KEY in config.stash:
        terminalreporter.section("conformance matrix")
        for line in str(build_batch_report(config)).splitlines():
            terminalreporter.write_line(line)
        return
    report = build_report(config)  # the same Report the API returns and --report writes
    terminalreporter.section("conformance matrix")
    show_bound_headers(config, terminalreporter)
    meta = report.metadata
    if meta.get("target"):
        terminalreporter.write_line(f"target: {meta.get('target_spec') or meta['target']} "
                                    f"({meta['target_file'] or 'no file'})")
    for line in str(report).splitlines():
        terminalreporter.write_line(line)
    if one_line(config) and report.failures():
        terminalreporter.write_line(ONE_LINE_HINT)

"""The pytest plugin under pytest-xdist: the seed handed to every worker, what a worker sends back
at its end, a worker that died during a check (its failure says how), and ``-x`` stopping the run
as in plain pytest."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conformance.frontends.plugin_config import (
    BATCH_KEY,
    CHECK_KEY,
    CONFIGS,
    ENVIRONMENT_KEY,
    ENVIRONMENT_OUTPUT,
    FIELDS_KEY,
    INFOS_KEY,
    ORDER_KEY,
    ORDER_OUTPUT,
    POOL_KEY,
    SEED_KEY,
    TARGET_ERROR_KEY,
    TARGET_ERROR_OUTPUT,
    collects_the_suite,
)
from conformance.frontends.plugin_results import environment_of
from conformance.sandbox.timeouts import crash_reason


def configure_node(node) -> None:  # pytest-xdist: runs in the controller, once per worker
    node.workerinput["conformance_seed"] = node.config.stash.get(SEED_KEY, None)


def stopped_for_failures(session: pytest.Session, exc: KeyboardInterrupt) -> bool:
    """``-x`` / ``--maxfail=N`` exit 1 (tests failed), as in plain pytest. pytest-xdist's controller
    (every run of the suite but ``--in-process``) stops such a run by raising its ``Interrupted``, a
    KeyboardInterrupt: status 2, "interrupted", which a CI script reads as a broken run. pytest
    counted the same failures (``session.shouldfail``): the plugin raises its ``Failed``, as it would."""
    return bool(collects_the_suite(session.config) and session.shouldfail and type(exc).__name__ == "Interrupted"
                and type(exc).__module__.startswith("xdist") and str(exc).startswith("stopping after "))


def worker_output(config: pytest.Config) -> None:
    """In an xdist worker, at its end: what the controller needs to write the reports (where the
    checks ran, the registry's order, the target's error, the batch's targets, the shard)."""
    workeroutput = config.workeroutput  # type: ignore[attr-defined]
    from conformance.core.registry import all_checks

    env = environment_of(config)
    if env is not None:
        workeroutput[ENVIRONMENT_OUTPUT] = env
    workeroutput[ORDER_OUTPUT] = [c.id for c in all_checks()]
    if TARGET_ERROR_KEY in config.stash:
        workeroutput[TARGET_ERROR_OUTPUT] = config.stash[TARGET_ERROR_KEY]
    from conformance.frontends.plugin_batch import INFOS_OUTPUT
    from conformance.frontends.shards import SHARD_KEY, SHARD_OUTPUT

    if POOL_KEY in config.stash:
        workeroutput[INFOS_OUTPUT] = config.stash[POOL_KEY].infos
    if SHARD_KEY in config.stash:
        workeroutput[SHARD_OUTPUT] = config.stash[SHARD_KEY]


def node_down(node, error) -> None:  # pytest-xdist: in the controller, as a worker finishes
    output = getattr(node, "workeroutput", {})
    if output.get(ENVIRONMENT_OUTPUT) is not None:
        node.config.stash.setdefault(ENVIRONMENT_KEY, output[ENVIRONMENT_OUTPUT])
    if output.get(ORDER_OUTPUT) is not None:
        node.config.stash.setdefault(ORDER_KEY, output[ORDER_OUTPUT])
    if output.get(TARGET_ERROR_OUTPUT) is not None:
        node.config.stash.setdefault(TARGET_ERROR_KEY, output[TARGET_ERROR_OUTPUT])
    from conformance.frontends.plugin_batch import INFOS_OUTPUT
    from conformance.frontends.shards import SHARD_KEY, SHARD_OUTPUT

    node.config.stash.setdefault(INFOS_KEY, {}).update(output.get(INFOS_OUTPUT) or {})
    if output.get(SHARD_OUTPUT) is not None:
        node.config.stash.setdefault(SHARD_KEY, output[SHARD_OUTPUT])


def crashed_item(crashitem: str, report: pytest.TestReport, sched: Any) -> None:
    """pytest-xdist, in the controller: a worker died while running ``crashitem`` (it goes on in a
    fresh worker). Make that check's failure say how it died: the watchdog ending a hang, the target
    ending the process (with status 0 too), a signal (SIGKILL: itself, or the out-of-memory killer)."""
    match = re.search(r"\[(.+)\]$", crashitem)
    if match is None or not CONFIGS:
        return
    from conformance.core.registry import all_checks
    from conformance.frontends.batch import split_pair

    checks = {c.id: c for c in all_checks()}
    label, check_id = split_pair(match.group(1))
    check = checks.get(check_id)
    if check is None:
        return
    why = _crash_reason(CONFIGS[-1], check.id, getattr(report, "node", None))
    report.longrepr = f"{check.id}: {why}"
    fields = {"reason": why, "example": "", "snippet": "", "message": f"{check.id}: {why}"}
    report.user_properties = [(CHECK_KEY, (check.id, check.block, check.property, None)), (FIELDS_KEY, fields)]
    if label is not None and BATCH_KEY in CONFIGS[-1].stash:
        report.user_properties.append(("conformance_target", label))


def _crash_reason(config: pytest.Config, check_id: str, node: Any) -> str:
    popen = getattr(getattr(getattr(node, "gateway", None), "_io", None), "popen", None)
    return crash_reason(check_id, popen, config.getoption("check_timeout") or 0,
                        "; the other checks ran in a fresh worker")

"""``conformance.run(..., isolate=True)``: the checks run in a child process, so a target that ends
the process (even with status 0), is killed, hangs where no signal reaches, or exhausts memory fails
the check it was running, and the remaining checks go on in a fresh child.

The parent sends the job (its own data) pickled on the child's stdin; the child, which runs the
untrusted target, answers in JSON lines only (a ``start`` before each check, its ``result`` after),
so nothing the target does is ever unpickled by the caller."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

from conformance.core.errors import api_label
from conformance.reports.report import Result

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


def run_isolated(job: dict[str, Any], check_ids: list[str], on_start: Callable[[str], None],
                 on_result: Callable[[Result], None]) -> list[Result]:
    """Run ``check_ids`` in child processes (a fresh one after each that ended early); ``job`` holds
    what ``child_main`` needs besides the ids. Returns one Result per id, in order."""
    from conformance.core.registry import all_checks
    from conformance.sandbox.timeouts import crash_reason

    checks = {c.id: c for c in all_checks()}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))}
    remaining, results = list(check_ids), []
    while remaining:
        before = len(remaining)
        proc = subprocess.Popen([sys.executable, "-m", "conformance.sandbox.isolation"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, env=env)
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(pickle.dumps({**job, "checks": remaining}))
        proc.stdin.close()
        running = None
        for line in proc.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if "start" in message:
                running = message["start"]
                on_start(running)
            elif "result" in message and running is not None:
                result = Result(**message["result"])
                results.append(result)
                on_result(result)
                remaining.remove(result.id)
                running = None
        proc.stdout.close()
        if running is None:  # ended between checks, or before the first: nothing of the target's to blame
            code = proc.wait()
            if not remaining:
                break
            if len(remaining) == before:  # no check even started: the child itself could not run
                raise RuntimeError(f"the isolated process ended (status {code}) before running any check "
                                   "(its error is on stderr above); run(..., isolate=False) runs in this process")
            continue  # a fresh child for the rest
        check = checks[running]
        why = crash_reason(running, proc, job.get("call_timeout") or 0, "; the other checks ran in a fresh process")
        result = Result(running, check.block, check.property, "failed", f"{running}: {why}", reason=why)
        results.append(result)
        on_result(result)
        remaining.remove(running)
    order = {c: i for i, c in enumerate(check_ids)}
    return sorted(results, key=lambda r: order[r.id])


def child_main() -> int:
    """The child: load the target, run each check of the job, report each as a JSON line."""
    job = pickle.load(sys.stdin.buffer)
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # what the target prints goes to stderr, never into the answer
    from conformance.core.context import CheckContext
    from conformance.core.registry import all_checks
    from conformance.execution.engine import execute, preload, properties_of
    from conformance.loading.target import load_target
    from conformance.sandbox.timeouts import enable_watchdog, limit_memory

    limit_memory(job["memory_limit"])
    enable_watchdog()
    # the modules every process that runs checks has loaded (the same draws for a seed)
    preload(properties_of(job["checks"]))
    from conformance.database.store import load_spec_files

    load_spec_files(job.get("specs", ()))  # the blocks the parent's run declared
    target = load_target(job["target"], names=job["names"], option="run(names=...)", label=api_label("run", "target"),
                         unwrap=job.get("unwrap", False))
    ctx = CheckContext(target, device=job["device"], settings=job["settings"], call_timeout=job["call_timeout"],
                       widen=job["widen"], seed=job["seed"], threads=job["threads"])
    checks = {c.id: c for c in all_checks()}

    def started(check_id: str) -> None:
        out.write(json.dumps({"start": check_id}) + "\n")
        out.flush()

    for result in execute((checks[i] for i in job["checks"]), ctx, job["expected"], job["xfail_as_skip"], started):
        out.write(json.dumps({"result": dataclasses.asdict(result)}) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(child_main())

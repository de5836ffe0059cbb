"""Targets checked apart in one process: each target is loaded and checked in a child *forked* from
this process (which has imported torch, Hypothesis and the checks once), so a batch of targets pays
one interpreter start-up per worker, not per target, and no target can change what another is
judged with (what it patches, imports or leaks dies with its child).

The child runs the checks it is asked for, one at a time, and answers each with the Result as one
JSON line; the parent never unpickles anything the target made. A child that ends during a check
(``exit()`` from C, a signal, the watchdog ending a hang) fails that check with the reason
``timeouts.crash_reason`` gives, and the next check of that target runs in a fresh child. A target
that cannot be loaded (import error, syntax error, no contract name) is an error of that target:
every check of it fails with that reason; the other targets are unaffected."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from collections import OrderedDict
from typing import Any, Callable

from conformance.core.errors import LOAD_ERROR
from conformance.execution.engine import execute, preload, require_provided
from conformance.reports.report import Result

_REAL_EXIT = os._exit
#: Children kept alive at once (the most recently used targets); older ones are closed.
LIVE_CHILDREN = 2
#: This process's ends of the pipes of its live children: a new child closes them, or a child's
#: command pipe would stay open (in its siblings) after the parent closes it, and it would never end.
_PARENT_ENDS: set[int] = set()


class _Exited:
    """What ``crash_reason`` needs of a process: its pid and a ``wait``."""

    def __init__(self, pid: int) -> None:
        self.pid, self.code = pid, None  # type: int, int | None

    def wait(self, timeout: float | None = None) -> int:
        deadline = time.monotonic() + (timeout if timeout is not None else 1e9)
        while self.code is None:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.code = os.waitstatus_to_exitcode(status)
            elif time.monotonic() > deadline:
                raise TimeoutError(self.pid)
            else:
                time.sleep(0.01)
        return self.code


class _Child:
    """One forked child holding one loaded target."""

    def __init__(self, spec: Any, job: dict[str, Any]) -> None:
        commands_r, commands_w = os.pipe()
        answers_r, answers_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            for fd in (commands_w, answers_r, *_PARENT_ENDS):
                try:
                    os.close(fd)
                except OSError:
                    pass
            code = 1
            try:
                _serve(spec, job, os.fdopen(commands_r, "r"), os.fdopen(answers_w, "w"))
                code = 0
            finally:
                _REAL_EXIT(code)
        os.close(commands_r)
        os.close(answers_w)
        self.process = _Exited(pid)
        _PARENT_ENDS.update((commands_w, answers_r))
        self.commands = os.fdopen(commands_w, "w")
        self.answers = os.fdopen(answers_r, "r")
        self.hello = self._read()  # {"target": info} or {"error": message}

    def _read(self) -> dict[str, Any] | None:
        line = self.answers.readline()
        return json.loads(line) if line else None

    def run(self, check_id: str) -> dict[str, Any] | None:
        """The check's Result as a dict, or None when the child ended during it."""
        try:
            self.commands.write(check_id + "\n")
            self.commands.flush()
        except (BrokenPipeError, OSError):
            return None
        return self._read()

    def close(self) -> None:
        from conformance.sandbox.timeouts import watchdog_path

        for stream in (self.commands, self.answers):
            _PARENT_ENDS.discard(stream.fileno())
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=10)
        except TimeoutError:
            os.kill(self.process.pid, 9)
            self.process.wait()
        try:
            os.unlink(watchdog_path(self.process.pid))
        except OSError:
            pass


def _serve(spec: Any, job: dict[str, Any], commands: Any, answers: Any) -> None:
    """The child: load the target, then run each check id read from ``commands``."""
    from conformance.core.context import CheckContext
    from conformance.core.registry import all_checks
    from conformance.loading.target import TargetError, load_target
    from conformance.sandbox.timeouts import _WATCHDOG, enable_watchdog, limit_memory

    _WATCHDOG["file"] = None  # the parent's file names the parent's pid: a watchdog of this child's own
    enable_watchdog()
    limit_memory(job.get("memory_limit"))  # the API's: never the caller's own process
    label = job.get("label", "--impl {}")
    try:
        target = load_target(spec, names=job["names"], option=job.get("names_option", "--name"), label=label,
                             unwrap=job.get("unwrap", False))
        if job.get("selected"):
            require_provided([c for c in all_checks() if c.id in set(job["selected"])], target, label)
    except TargetError as exc:
        answers.write(json.dumps({"error": str(exc)}) + "\n")
        answers.flush()
        return
    from conformance.reports.metadata import target_info

    ctx = CheckContext(target, device=job["device"], settings=job.get("settings"), call_timeout=job["call_timeout"],
                       widen=job["widen"], seed=job["seed"], threads=job["threads"], tmp_dir=job.get("tmp_dir"),
                       scope=f"{job['scope']}:")
    answers.write(json.dumps({"target": target_info(target)}, default=str) + "\n")
    answers.flush()
    checks = {c.id: c for c in all_checks()}
    asked = (checks[line.strip()] for line in commands)  # one at a time: each after the last one's answer
    for result in execute(asked, ctx, job.get("expected"), job.get("xfail_as_skip", False)):
        answers.write(json.dumps(dataclasses.asdict(result), default=str) + "\n")
        answers.flush()


class TargetPool:
    """Runs checks of several targets, each in its own forked child (see the module's docstring).
    ``job``: names, device, settings, call_timeout, widen, seed, threads, tmp_dir; optionally
    expected and xfail_as_skip (the API applies the expected-failures file in the child; pytest
    applies it as marks), selected (the selected check ids: a target providing none of them is an
    error of that target), and label (how messages name a target, ``--impl {}``)."""

    def __init__(self, job: dict[str, Any]) -> None:
        if not hasattr(os, "fork"):
            from conformance.core.errors import UsageError

            raise UsageError("checking several targets in one run needs os.fork (Linux, macOS): run one target "
                             "per run here")
        self.job = job
        self.children: OrderedDict[str, _Child] = OrderedDict()
        self.errors: dict[str, str] = {}    # label -> why the target could not be loaded
        self.infos: dict[str, dict] = {}    # label -> target_info
        from conformance.core.registry import all_checks

        self.checks = {c.id: c for c in all_checks()}
        preload(job.get("properties"))  # None (not told the selection): the optimizer step too

    def _child(self, label: str, spec: Any) -> _Child | None:
        if label in self.errors:
            return None
        child = self.children.get(label)
        if child is None:
            while len(self.children) >= LIVE_CHILDREN:
                self.children.popitem(last=False)[1].close()
            child = _Child(spec, {**self.job, "scope": label})
            hello = child.hello or {"error": "the process loading it ended (status "
                                             f"{child.process.wait(timeout=10)})"}
            if "error" in hello:
                child.close()
                self.errors[label] = hello["error"]
                return None
            self.infos[label] = hello["target"]
            self.children[label] = child
        self.children.move_to_end(label)
        return child

    def run(self, label: str, spec: Any, check_id: str) -> Result:
        """Run ``check_id`` on the target ``label`` (loaded from ``spec``); never raises for the target."""
        from conformance.sandbox.timeouts import crash_reason

        check = self.checks[check_id]
        child = self._child(label, spec)
        if child is None:
            why = LOAD_ERROR + self.errors[label]
            return Result(check_id, check.block, check.property, "failed", f"{check_id}: {why}", reason=why)
        start = time.perf_counter()
        answer = child.run(check_id)
        if answer is not None:
            return Result(**answer)
        del self.children[label]
        why = crash_reason(check_id, child.process, self.job.get("call_timeout") or 0,
                           "; the other checks ran in a fresh process")
        child.close()
        return Result(check_id, check.block, check.property, "failed", f"{check_id}: {why}",
                      time.perf_counter() - start, reason=why)

    def close(self) -> None:
        while self.children:
            self.children.popitem()[1].close()


def run_all(pool: TargetPool, targets: list[tuple[str, Any]], check_ids: list[str],
            on_start: Callable[[str], None], on_result: Callable[[str, Result], None]) -> dict[str, list[Result]]:
    """Every check of every target, target by target: label -> its Results in ``check_ids`` order."""
    out: dict[str, list[Result]] = {}
    for label, spec in targets:
        out[label] = []
        for check_id in check_ids:
            on_start(f"{label}:{check_id}")
            result = pool.run(label, spec, check_id)
            out[label].append(result)
            on_result(label, result)
    return out

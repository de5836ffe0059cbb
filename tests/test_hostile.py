"""Hostile targets: no run mode ends green, or hangs, when the target ends its own process (with
status 0 too), kills itself, hangs where SIGALRM cannot reach, or allocates without bound. Each run
selects three checks (the hostile one and two that must keep their verdicts) with a short limit."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import conformance

ROOT = Path(__file__).resolve().parents[1]
SELECT = ["-k", "relu.forward[float32] or linear.forward[float32] or relu.structure"]
HOSTILE = "relu.forward[float32]"

PRELUDE = """
import os, signal, torch
Linear = torch.nn.Linear
class ReLU(torch.nn.Module):
    def forward(self, x):
"""
#: name -> (the body of ReLU.forward, what the failure of relu.forward[float32] says)
BODIES = {
    # os._exit and sys.exit during a check raise instead (conformance.sandbox.exits): the check fails in place
    "exit0": ("os._exit(0)", "target tried to end the process with status 0"),
    "sysexit": ("import sys\nsys.exit(0)", "called sys.exit(0): the target tried to end the process"),
    # exit() from C cannot be intercepted: the worker's end is reported against the check
    "cexit": ("import ctypes\nctypes.CDLL(None).exit(0)",
              "ended the process with status 0 during `relu.forward[float32]`"),
    "sigkill": ("os.kill(os.getpid(), signal.SIGKILL)", "killed by SIGKILL"),
    # SIGALRM ignored: the per-call limit cannot stop the loop, the watchdog thread (C, no GIL needed) does
    "spin": ("signal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass",
             "hung: a call into the target did not return within"),
    "segfault": ("import ctypes\nctypes.string_at(0)", "SIGSEGV"),
    # SIGALRM blocked in the checking thread: the per-call limit (the signal reaches another thread,
    # the handler still runs in this one) or else the watchdog stops it
    "blocked": ("signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})\nwhile True:\n    pass",
                "did not return within"),
    "bomb": ("hoard = torch.ones(2**30)  # 4 GiB, over --memory-limit 1.5\nreturn torch.relu(x) + 0 * hoard[0]",
             # the allocation beyond --memory-limit raises in its check (torch's message, "[enforce fail at
             # ...] ... can't allocate memory ...", is cut in the one line; -v shows it whole)
             "forward raised RuntimeError: "),
}


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    # The watchdog ends a spinning check at twice the 0.5 s limit plus this grace (5 s by default):
    # the spin tests wait for it on purpose. A check it would end has already run past its limit.
    env = {**os.environ, "CI": "1", "PYTHONPATH": path, "CONFORMANCE_WATCHDOG_GRACE": "1"}
    env.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def hostile(tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.py"
    path.write_text(PRELUDE + textwrap.indent(BODIES[name][0], " " * 8) + "\n")
    return str(path)


def assert_red_naming_the_check(result: subprocess.CompletedProcess, name: str, elapsed: float) -> None:
    out = result.stdout + result.stderr
    assert result.returncode == 1, (result.returncode, out[-3000:])
    assert BODIES[name][1] in out, out[-3000:]
    matrix = result.stdout.split("conformance matrix", 1)[1]
    assert "2 passed" in matrix and "1 failed" in matrix, matrix  # linear.forward, relu.structure kept
    assert f"  {HOSTILE}: " in matrix, matrix  # the failure list names the check
    assert elapsed < 60


@pytest.mark.parametrize("name", sorted(BODIES))
def test_cli_ends_red_naming_the_check(tmp_path: Path, name: str) -> None:
    """``python -m conformance`` runs its checks in a pytest-xdist worker unless told otherwise."""
    start = time.monotonic()
    result = run("-m", "conformance", "--impl", hostile(tmp_path, name), *SELECT, "--check-timeout", "0.5",
                 "--memory-limit", "1.5")
    assert_red_naming_the_check(result, name, time.monotonic() - start)


@pytest.mark.parametrize("name", ["cexit", "spin"])
def test_pytest_xdist_ends_red_naming_the_check(tmp_path: Path, name: str) -> None:
    start = time.monotonic()
    result = run("-m", "pytest", "conformance", "--impl", hostile(tmp_path, name), *SELECT, "-n", "2",
                 "--check-timeout", "0.5")
    assert_red_naming_the_check(result, name, time.monotonic() - start)


@pytest.mark.parametrize("name", ["exit0", "sysexit"])
def test_serial_pytest_ends_red_when_the_target_ends_the_process(tmp_path: Path, name: str) -> None:
    """Serial pytest: ``os._exit``/``sys.exit`` from Python fail the check in place (an ``exit()`` from
    C cannot be intercepted there: the README recommends the CLI or ``-n``)."""
    start = time.monotonic()
    result = run("-m", "pytest", "conformance", "--impl", hostile(tmp_path, name), *SELECT, "-p", "no:xdist",
                 "--check-timeout", "0.5")
    assert_red_naming_the_check(result, name, time.monotonic() - start)


def test_serial_pytest_bounds_a_hang(tmp_path: Path) -> None:
    """Serial pytest cannot report a check whose process ended, but a hang still ends it, red."""
    start = time.monotonic()
    result = run("-m", "pytest", "conformance", "--impl", hostile(tmp_path, "spin"), *SELECT, "-p", "no:xdist",
                 "--check-timeout", "0.5")
    assert result.returncode != 0 and "Timeout" in result.stderr, result.stderr[-2000:]
    assert time.monotonic() - start < 60


def test_unsafe_loader_fails_every_front_end(tmp_path: Path) -> None:
    mutant = str(ROOT / "tests" / "mutants" / "load_unpickles_anything.py")
    result = run("-m", "conformance", "--impl", mutant, "-k", "save.tensors or save.load_safety", "-v")  # full texts
    assert result.returncode == 1 and "save.load_safety: load accepted" in result.stdout, result.stdout[-3000:]
    assert "os.makedirs(" in result.stdout and "1 failed, 1 passed" in result.stdout.split("conformance matrix")[1]
    report = conformance.run(mutant, checks=["save.load_safety"], quiet=True)
    assert not report.ok and "a torch.save file" in report.results[0].reason


@pytest.mark.parametrize("name", ["exit0", "sigkill", "bomb"])  # cexit: test_run_isolates_a_target_given_by_path
def test_isolated_api_fails_the_check_and_keeps_the_others(tmp_path: Path, name: str) -> None:
    checks = ["relu.forward[float32]", "linear.forward[float32]", "relu.structure"]
    report = conformance.run(hostile(tmp_path, name), checks=checks, isolate=True, quiet=True, call_timeout=0.5,
                             memory_limit=1.5, max_examples=10)
    statuses = {r.id: r.status for r in report.results}
    assert statuses == {HOSTILE: "failed", "linear.forward[float32]": "passed", "relu.structure": "passed"}
    assert not report.ok and BODIES[name][1] in report.results[1].reason, report.results[1].reason


def test_isolate_needs_a_target_by_name() -> None:
    with pytest.raises(conformance.UsageError, match="isolate=True"):
        conformance.run({"ReLU": object}, isolate=True, quiet=True)


def test_plain_pytest_runs_the_suite_in_a_worker(tmp_path: Path) -> None:
    """``pytest conformance`` without ``-n`` runs its checks in one pytest-xdist worker, so even an
    ``exit(0)`` from C (which no in-process guard can stop) fails the check it was running."""
    start = time.monotonic()
    result = run("-m", "pytest", "conformance", "--impl", hostile(tmp_path, "cexit"), *SELECT, "--check-timeout", "0.5")
    assert_red_naming_the_check(result, "cexit", time.monotonic() - start)


def test_run_isolates_a_target_given_by_path(tmp_path: Path) -> None:
    """``conformance.run(path)`` isolates by default: an ``exit(0)`` from C fails that check only. (The
    isolated API's cexit case: a path's default is ``isolate=True``, so one run asserts both.)"""
    checks = ["relu.forward[float32]", "linear.forward[float32]", "relu.structure"]
    report = conformance.run(hostile(tmp_path, "cexit"), checks=checks, quiet=True, call_timeout=0.5, max_examples=10)
    assert {r.id: r.status for r in report.results} == {HOSTILE: "failed", "linear.forward[float32]": "passed",
                                                        "relu.structure": "passed"}
    assert BODIES["cexit"][1] in report.results[1].reason and not report.ok

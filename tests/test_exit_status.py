"""``-x`` and ``--maxfail=N`` end a failing run with status 1 (tests failed), as plain pytest does,
in every mode: the checks run in pytest-xdist workers by default, whose controller stops such a run
by raising ``Interrupted`` (status 2, which a CI script reads as a broken run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MUTANT = "tests/mutants/relu_mask_multiply.py"  # x * (x > 0): relu.forward fails in both dtypes, at once


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CI": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)


@pytest.mark.parametrize("mode", [[], ["-n", "2"], ["--in-process"]], ids=["default", "n2", "in-process"])
def test_a_run_stopped_for_its_failures_exits_1(mode: list[str]) -> None:
    """``--maxfail=1``: pytest's ``-x`` is the same option (``store_const`` 1 into ``maxfail``), so one
    run per worker layout covers both spellings (asserted below without starting a run)."""
    done = run("pytest", "conformance", "--impl", MUTANT, "-k", "relu.forward", "-p", "no:cacheprovider",
               "--maxfail=1", *mode)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out[-3000:]
    assert "stopping after" in out and "Interrupted" not in out, out[-3000:]
    assert "failures:\n  relu.forward[" in out  # the matrix and its failures are still there


def test_the_cli_stopped_by_x_exits_1() -> None:
    done = run("conformance", "--impl", MUTANT, "-k", "relu.forward", "-x")
    assert done.returncode == 1, (done.stdout + done.stderr)[-3000:]
    assert "Interrupted" not in done.stdout + done.stderr


def test_maxfail_not_reached_is_an_ordinary_failing_run() -> None:
    done = run("pytest", "conformance", "--impl", MUTANT, "-k", "relu.forward and not 16", "-p", "no:cacheprovider",
               "--maxfail=5")
    assert done.returncode == 1 and "stopping after" not in done.stdout, done.stdout[-3000:]
    assert "2 failed" in done.stdout


def test_x_is_maxfail_1() -> None:
    """What lets the runs above use ``--maxfail=1`` alone: ``-x`` parses to the same setting."""
    config = pytest.Config.fromdictargs({}, ["-x", "-p", "no:cacheprovider"])
    assert config.option.maxfail == 1

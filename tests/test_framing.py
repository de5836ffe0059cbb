"""Every failure is framed, second defects are not hidden, and a target failing many checks still
gives a terminal output a person reads (``conformance.core.framing``, ``failures.merge_failures``,
``conformance.reports.brief``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

import conformance  # noqa: E402
from conformance.checks.common import call_target  # noqa: E402
from conformance.core.failures import CheckFailure, failure  # noqa: E402
from conformance.core.framing import SuiteError, is_suite_assertion, unguarded  # noqa: E402
from conformance.loading.target import load_target  # noqa: E402

from .test_frontends import run  # noqa: E402

QUICK = settings(max_examples=15, derandomize=True, database=None, deadline=None)
SUITE_FILE = os.path.join(os.path.dirname(conformance.__file__), "not_a_module.py")


def raised_in(filename: str, source: str) -> Exception:
    """The exception ``source`` raises when its code sits in ``filename`` (the suite's, or a target's)."""
    try:
        exec(compile(source, filename, "exec"), {})  # noqa: S102
    except Exception as exc:  # noqa: BLE001
        return exc
    raise AssertionError("the source did not raise")


def test_a_targets_assertion_error_is_framed_and_the_suites_passes_through(tmp_path: Path) -> None:
    target_file = str(tmp_path / "blocks.py")

    def failure_for(problem: str) -> CheckFailure:
        return failure("linear.forward[float32]", problem, example="block = target.Linear(2, 3)", snippet="...")

    def target_asserts() -> None:
        raise raised_in(target_file, "assert False, 'expected a 2-D input'")

    with pytest.raises(CheckFailure) as framed:
        call_target(None, "forward", target_asserts, failure_for)
    assert framed.value.problem == "forward raised AssertionError: expected a 2-D input"
    assert framed.value.example and isinstance(framed.value.__cause__, AssertionError)

    suite_bug = raised_in(SUITE_FILE, "assert False, 'an invariant of the suite'")
    assert is_suite_assertion(suite_bug) and not is_suite_assertion(framed.value.__cause__)

    def suite_asserts() -> None:
        raise suite_bug

    with pytest.raises(AssertionError) as passed:  # the suite's own assert is never blamed on the target
        call_target(None, "forward", suite_asserts, failure_for)
    assert not isinstance(passed.value, CheckFailure)


def test_an_exception_escaping_a_check_is_the_targets_or_a_suite_error(tmp_path: Path) -> None:
    theirs = unguarded("linear.strict", raised_in(str(tmp_path / "blocks.py"), "raise KeyError('weight')"))
    assert isinstance(theirs, CheckFailure) and theirs.problem == "the target raised KeyError: 'weight'"
    ours = unguarded("linear.strict", raised_in(SUITE_FILE, "[][0]"))
    assert isinstance(ours, SuiteError) and "a bug of the suite, not a finding about the target" in str(ours)


def test_a_target_raising_its_own_assertion_error_gets_a_framed_failure() -> None:
    target = load_target(str(HERE / "real_code" / "asserting_linear.py"))
    report = conformance.run(target, checks=["linear.forward[float32]"], settings=QUICK, quiet=True)
    (result,) = report.results
    assert result.status == "failed"
    assert result.reason.startswith("forward raised AssertionError: expected a 2-D input"), result.reason
    assert "block   = target.Linear(" in result.example and "block(x)" in result.snippet


def test_two_distinct_defects_in_one_check_are_both_shown() -> None:
    """The mutant raises on an empty batch and scales every other output: one check, two failures."""
    target = load_target(str(HERE / "mutants" / "linear_two_defects.py"))
    report = conformance.run(target, checks=["linear.forward[float32]"], settings=QUICK, quiet=True)
    (result,) = report.results
    assert result.status == "failed" and len(result.also) == 1, (result.reason, result.also)
    kinds = [result.reason.splitlines()[0], result.also[0].splitlines()[0]]
    assert any("raised ValueError: cannot handle an empty batch" in k for k in kinds), kinds
    assert any("differs from the reference" in k for k in kinds), kinds
    assert "Example:" in result.also[0] and "Reproduce:" in result.also[0]  # its own shrunk example and snippet
    assert "Also seen" in result.message  # the full text (-v) lists it
    (also,) = [line for line in str(report).splitlines() if line.startswith("    also seen: ")]  # the terminal's too
    assert len(also) <= 100 and (result.also_facts[0] or result.also[0].splitlines()[0][:40]) in also, also
    assert "| also seen |" in report.to_markdown()


def test_many_failures_read_as_one_line_each(tmp_path: Path) -> None:
    """The tutorial's failing blocks: one line per failing check, no FAILURES section, the matrix at
    the end; -v gives the full texts (pytest front-end; the CLI is held to the same in test_frontends)."""
    args = ["-m", "pytest", "conformance", "--impl", "tutorial",
            "-k", "(mylinear or fixedhiddenmlp.forward) and not 16 and not gradgrad",  # gradgrad: passes, 1 s
            "-p", "no:cacheprovider"]
    short = run(*args)
    assert short.returncode == 1, short.stdout[-2000:]
    out = short.stdout
    assert "FAILURES" not in out and "Reproduce:" not in out and "short test summary" not in out
    listed = out.split("\nfailures:\n", 1)[1].splitlines()
    failing = [line for line in listed if line.startswith("  ") and ": " in line
               and not line.strip().startswith("also seen")]
    assert {line.split(":")[0].strip() for line in failing} == {
        "mylinear.gradient[float32]", "mylinear.gradient[float64]", "mylinear.gradcheck[float64]",
        "mylinear.lifecycle[float32]", "mylinear.lifecycle[float64]", "fixedhiddenmlp.forward[float64]"}, listed
    assert len(out.splitlines()) < 45, out
    verbose = run(*args, "-v")
    assert "FAILURES" in verbose.stdout and verbose.stdout.count("Reproduce:") >= 6  # also-seen ones carry theirs
    assert "conformance/core/registry.py" not in verbose.stdout  # -v: the suite's words; -vv: pytest's traceback

"""Blocks written the ways people write them (``tests/real_code/``): fixed sizes, module-level
instances, other names, a Linear without ``bias``, a container over torch's leaves, a tuple output,
extra state, a Linear asserting on its input, a Linear carrying a quantization observer. Each file
states, before any run, the verdict it must get per check (``EXPECTED``: id
pattern -> status), what the report must note (``NOTES``: check id -> text) and what a failure must
say (``REASONS``); ``NAMES`` maps contract names to its own, as ``--name`` does; ``FRAMED``: every
failure must be framed (the call that raised, the example, a snippet)."""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

import pytest
from hypothesis import settings

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

import conformance  # noqa: E402
from conformance.frontends.runner_patterns import matches  # noqa: E402
from conformance.loading.target import load_target  # noqa: E402

TARGETS = sorted((HERE / "real_code").glob("*.py"))
QUICK = settings(max_examples=15, derandomize=True, database=None, deadline=None)


@pytest.mark.parametrize("path", TARGETS, ids=lambda p: p.stem)
def test_real_code_gets_its_written_verdicts(path: Path) -> None:
    module = runpy.run_path(str(path))
    target = load_target(str(path), names=module.get("NAMES", {}))
    expected: dict[str, str] = module["EXPECTED"]
    report = conformance.run(target, checks=list(expected), settings=QUICK)
    assert report.results, f"{path.name}: its EXPECTED selects no check"
    for result in report.results:
        wanted = next(status for pattern, status in expected.items() if matches(pattern, result.id))
        assert result.status == wanted, (f"{path.name}: {result.id} is {result.status}, expected {wanted}\n"
                                         f"{result.reason or result.message}")
        if result.status == "not checked":
            assert result.reason, f"{result.id}: not checked without a reason"
    by_id = {r.id: r for r in report.results}
    for check_id, text in module.get("NOTES", {}).items():
        notes = by_id[check_id].notes
        assert any(text in note for note in notes), f"{check_id}: no note {text!r} in {notes}"
    for check_id, text in module.get("REASONS", {}).items():
        assert text in by_id[check_id].reason, f"{check_id}: reason lacks {text!r}: {by_id[check_id].reason}"
    if module.get("FRAMED"):  # every failure names the call and carries the example and a snippet
        for result in report.failures():
            assert result.example and result.snippet, f"{result.id}: a failure without example or snippet"
            assert " raised " in result.reason.splitlines()[0], f"{result.id}: not framed: {result.reason}"
            assert not result.reason.startswith(("AssertionError", "the suite's own code")), result.reason
    causes = {r.cause for r in report.results if r.status == "not checked"}
    assert all(by_id[c].status == "failed" for c in causes if c in by_id), "a not-checked cause did not fail"


def test_an_unknown_or_missing_name_is_a_usage_error() -> None:
    with pytest.raises(conformance.TargetError, match="not a contract name"):
        load_target(str(HERE / "real_code" / "other_names.py"), names={"Perceptron": "Net"})
    with pytest.raises(conformance.TargetError, match="defines no 'Netz'"):
        load_target(str(HERE / "real_code" / "other_names.py"), names={"MLP": "Netz"})


def test_a_not_checked_result_without_its_failure_is_not_ok() -> None:
    """Selecting only the checks that cannot judge (not their cause) must not give a green report."""
    target = load_target(str(HERE / "real_code" / "tuple_output.py"))
    report = conformance.run(target, checks=["mlp.gradient[float32]"], settings=QUICK)
    assert [r.status for r in report.results] == ["not checked"]
    assert report.results[0].cause == "mlp.forward[float32]"
    assert not report.ok and "cannot be green" in str(report)


def test_snippets_name_the_mapping_and_run_as_pasted(tmp_path: Path) -> None:
    """A failure's snippet loads the target with its names and reproduces in a fresh interpreter."""
    import subprocess

    path = HERE / "real_code" / "tuple_output.py"
    report = conformance.run(load_target(str(path), names={"MLP": "MLP"}), checks=["mlp.forward[float32]"],
                             settings=QUICK)
    snippet = report.results[0].snippet
    assert "load_target(" in snippet
    done = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True, cwd=HERE.parent,
                          timeout=120)
    assert done.returncode == 0, done.stderr


def test_a_failure_at_a_special_value_names_it() -> None:
    """ReLU's gradient at exactly 0 (the mutant, torch.clamp, passes 1 there; its only defect): the
    reason names the input value and the convention the contract takes from torch."""
    path = HERE / "mutants" / "relu_clamp_grad_at_zero.py"
    thorough = settings(QUICK, max_examples=200)  # the failure is found well before
    report = conformance.run(load_target(str(path)), checks=["relu.gradient[float32]"], settings=thorough, quiet=True)
    reason = report.results[0].reason
    assert report.results[0].status == "failed"
    assert re.search(r"== -?0\.0 exactly", reason) and "ReLU's gradient at exactly 0 is 0" in reason, reason

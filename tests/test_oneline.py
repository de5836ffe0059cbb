"""The one line per failing check (the ``failures:`` list under the matrix, under pytest, the CLI and
``print(report)``) carries the decisive fact within 100 columns: for a value mismatch the worst
element's expected and actual values, and the input there where it is special (0, an infinity, NaN,
a subnormal); for a raise, the call and the exception. ``-v``'s full texts stay whole, wrapped to
100 columns with their snippets still runnable."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from hypothesis import settings

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import conformance  # noqa: E402
from conformance.checks.common import check_output, input_at  # noqa: E402
from conformance.core.failures import failure  # noqa: E402
from conformance.loading.target import load_target  # noqa: E402
from conformance.reports import oneline  # noqa: E402
from conformance.reports.report import Report, Result  # noqa: E402
from conformance.reports.wrap import wrap_failure  # noqa: E402

QUICK = settings(max_examples=15, derandomize=True, database=None, deadline=None)
WIDTH = 100
NUMBER = r"-?(?:\d[\d.e+-]*|nan|inf)"
VALUES = re.compile(rf"expected ({NUMBER}), actual ({NUMBER})")


def failure_lines(report: Report) -> list[str]:
    text = str(report)
    assert "\nfailures:\n" in text, text
    return [line for line in text.split("\nfailures:\n", 1)[1].splitlines() if line.startswith("  ")]


def run_mutant(name: str, checks: list[str]) -> Report:
    return conformance.run(load_target(str(HERE / "mutants" / f"{name}.py")), checks=checks, settings=QUICK,
                           quiet=True)


def same_value(shown: str, full: str) -> bool:
    a, b = float(shown), float(full)
    return (np.isnan(a) and np.isnan(b)) or a == b or abs(a - b) <= 1e-5 * abs(b)


def assert_values_of(result: Result, line: str) -> None:
    """The line shows the worst element's values, the same (to its digits) as the full reason."""
    shown, full = VALUES.search(line), VALUES.search(result.reason)
    assert shown is not None and full is not None, (line, result.reason)
    assert same_value(shown.group(1), full.group(1)), (line, result.reason)
    assert same_value(shown.group(2), full.group(2)), (line, result.reason)


# -- value mismatches, in-process ---------------------------------------------------------------
@pytest.mark.parametrize(("mutant", "values", "special"), [
    ("relu_mask_multiply", "expected 0.0, actual nan", "== -inf"),   # x * (x > 0): -inf * 0
    ("relu_where_swallows_nan", "expected nan, actual 0.0", "== nan"),
])
def test_a_relu_value_mismatch_shows_the_values_and_the_special_input(mutant: str, values: str,
                                                                      special: str) -> None:
    report = run_mutant(mutant, ["relu.forward[float32]"])
    (result,) = report.failures()
    (line,) = failure_lines(report)
    assert len(line) <= WIDTH, line
    assert line.startswith("  relu.forward[float32]: ") and values in line and special in line, line
    assert re.search(rf"at x(\[[\d, ]+\])? {re.escape(special)}$", line), line
    assert_values_of(result, line)
    assert "differs from the reference beyond the rounding-error bound" in result.reason  # the full text is whole


def test_a_linear_value_mismatch_shows_the_values_and_where() -> None:
    """Computing in float16: the values are close, so they are shown with the digits that tell them apart."""
    report = run_mutant("linear_float16_compute", ["linear.forward[float32]"])
    (result,) = report.failures()
    (line,) = failure_lines(report)
    assert len(line) <= WIDTH and line.startswith("  linear.forward[float32]: "), line
    shown = VALUES.search(line)
    assert shown is not None and shown.group(1) != shown.group(2), line
    assert_values_of(result, line)
    assert re.search(r"at \[\d+(, \d+)*\]$", line), line


def test_a_raise_shows_the_call_and_the_exception_and_another_failure_its_values() -> None:
    report = run_mutant("linear_two_defects", ["linear.forward[float32]"])
    lines = failure_lines(report)
    assert all(len(line) <= WIDTH for line in lines), lines
    text = "\n".join(lines)
    assert "forward raised ValueError: cannot handle an empty batch" in text, text
    assert VALUES.search(text), text  # the scaled outputs: the other failure's values


# -- the composition itself ---------------------------------------------------------------------
def test_the_fact_is_kept_whole_and_the_problem_shortened_first() -> None:
    problem = ("the output on a second, different input (x with seed + 1) differs from the reference "
               "beyond the rounding-error bound [at the edge: input width 0]")
    fact = "expected 0.3, actual 0.300049 at [10, 3]"
    line = oneline.line("  linear.forward[float32]: ", problem, fact)
    assert line == "  linear.forward[float32]: output on a ... input is off: " + fact  # abbreviated, then cut
    assert oneline.line("  relu.forward[float32]: ", problem, "expected 0.0, actual nan") == (
        "  relu.forward[float32]: the output on a second, different input is off: expected 0.0, actual nan")
    longer = "expected 0.300000012, actual 0.300048828 at [10, 3]"
    line = oneline.line("  linear.forward[float32]: ", problem, longer)
    assert len(line) <= WIDTH and line.endswith(" off: " + longer) and " ... " in line, line
    assert oneline.line("  relu.forward[float32]: ", "short problem", fact) == (
        "  relu.forward[float32]: short problem: " + fact)  # whole where it fits


def test_a_long_problem_without_a_fact_keeps_its_start_and_its_end() -> None:
    problem = ("forward raised RuntimeError: expected m1 and m2 to have the same dtype, but got: "
               "double != float, and a great deal more text that the exception went on to say")
    line = oneline.line("  chimera.forward[float64]: ", problem)
    assert len(line) <= WIDTH and " ... " in line, line
    assert "forward raised RuntimeError: expected" in line and line.endswith("went on to say"), line
    raised = ('named_parameters() and state_dict() raised TypeError: can only concatenate str (not "Linear") '
              "to str")
    line = oneline.line("  tiedmysequential.structure: ", raised)
    assert len(line) <= WIDTH and "named_parameters() and state_dict() raised TypeError: can " in line, line


def test_a_report_made_by_hand_reads_the_same() -> None:
    made = failure("relu.forward[float32]", "the output differs from the reference beyond the rounding-error "
                   "bound", "1 of 1 elements out of bounds; ...", fact="expected 0.0, actual nan at x == -inf")
    fields = made.fields()
    result = Result("relu.forward[float32]", "relu", "forward", "failed", str(made), reason=fields["reason"],
                    fact=fields["fact"])
    assert failure_lines(Report([result])) == [
        "  relu.forward[float32]: the output is off: expected 0.0, actual nan at x == -inf"]


# -- a subnormal input, named ---------------------------------------------------------------------
class _Runner:
    """What check_output needs of a check's Runner: the block's spec (key, elementwise) and how a failure is made."""

    spec = SimpleNamespace(key="relu", elementwise=True)

    def failure(self, problem: str, detail: str = "", body: str = "", fact: str = "") -> AssertionError:
        return failure("relu.forward[float32]", problem, detail, fact=fact)


def test_a_subnormal_input_is_named_as_special() -> None:
    tiny = float(torch.finfo(torch.float32).smallest_normal)
    x = torch.tensor([1.0, tiny / 4, -2.0], dtype=torch.float32)
    actual = torch.tensor([1.0, float("nan"), 0.0], dtype=torch.float32)
    expected = np.maximum(x.double().numpy(), 0)
    with pytest.raises(AssertionError) as raised:
        check_output(_Runner(), "the output", actual, expected, np.zeros(3), x, "y = block(x)")
    made = raised.value
    sub = float(x[1])
    assert made.fact == "expected 2.93874e-39, actual nan at x[1] == 2.93874e-39 (subnormal)", made.fact  # type: ignore[attr-defined]
    assert f"there the input is x[1] == {sub!r} exactly (a subnormal)" in str(made)
    assert input_at(_Runner(), "the output", x, (0,)) == "\nthere the input is x[0] == 1.0"  # not special


# -- the full text (-v) -------------------------------------------------------------------------
def test_the_full_text_is_wrapped_whole_and_its_snippet_still_runs() -> None:
    long_call = ("block = target.MySequential(target.Linear(3, 4, bias=True), target.ReLU(), "
                 "target.Linear(4, 2, bias=True)).to(device='cpu', dtype=torch.float32)")
    spec = ("ArraySpec(shape=(2, 3), seed=3269571160, scale=1.0, specials=((7739, float('inf')), "
            "(7740, -float('inf')), (7741, float('nan')), (7742, 0.0)))")
    text = "\n".join([
        "mysequential.forward[float32]: " + "a problem stated at a length that no terminal line holds " * 3,
        "Example:", f"  input   = {spec}",
        "Reproduce:", "  import torch", f"  {long_call}", f"  x = {spec}.tensor('float32', 'cpu')",
        "  print(block(x))  # must raise ValueError/RuntimeError or return a non-finite value, never loop forever",
    ])
    wrapped = wrap_failure(text)
    assert all(len(line) <= WIDTH for line in wrapped.splitlines()), wrapped
    assert sorted(wrapped.split()) == sorted(text.split())  # every word kept (the comment moved above its code)
    snippet = textwrap.dedent(wrapped.split("Reproduce:\n", 1)[1])
    compile(snippet, "<snippet>", "exec")  # still Python
    assert compile(snippet, "<s>", "exec").co_names == compile(
        textwrap.dedent(text.split("Reproduce:\n", 1)[1]), "<s>", "exec").co_names  # the same program


# -- the CLI, once ----------------------------------------------------------------------------------
def test_the_cli_lists_each_failure_in_one_line_with_its_fact_and_v_stays_within_100_columns() -> None:
    env = {**os.environ, "CI": "1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "conformance", "--impl", "tests/mutants/relu_mask_multiply.py",
                           "-k", "relu.forward and not 16", "-v"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    listed = [line for line in out.split("\nfailures:\n", 1)[1].splitlines() if line.startswith("  relu.")]
    assert len(listed) == 2, out[-2000:]
    for line in listed:
        assert len(line) <= WIDTH and "expected 0.0, actual nan" in line and "== -inf" in line, line
    full = out.split("FAILURES", 1)[1].split("conformance matrix", 1)[0]  # -v: each failure in full
    assert "Reproduce:" in full and "there the input is" in full
    assert max(len(line) for line in full.splitlines()) <= WIDTH, max(full.splitlines(), key=len)

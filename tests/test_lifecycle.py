"""The lifecycle checks (``conformance/checks/lifecycle.py``): one per block and dtype, and a failure's
program runs as printed."""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

from hypothesis import settings

import conformance
from conformance.database.chapter import BLOCKS

HERE = Path(__file__).resolve().parent
QUICK = settings(max_examples=40, derandomize=True, database=None, deadline=None, stateful_step_count=20)


def test_every_block_has_a_lifecycle_check_per_dtype() -> None:
    ids = {c.id for c in conformance.all_checks() if c.property == "lifecycle"}
    assert ids == {f"{spec.key}.lifecycle[{dtype}]" for spec in BLOCKS
                   for dtype in ("float32", "float64", "float16", "bfloat16")}


def test_a_failure_prints_a_program_that_runs_and_shows_it() -> None:
    path = HERE / "mutants" / "linear_lifecycle_output_buffer.py"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = conformance.run(str(path), checks=["linear.lifecycle[float32]"], settings=QUICK, isolate=False,
                                 quiet=True)
    (result,) = report.results
    assert result.status == "failed", result.message
    assert "changed after it was handed out" in result.reason
    assert "operations=" in result.example and "opt = torch.optim.SGD(block.parameters()" in result.snippet
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(result.snippet, "<snippet>", "exec"), {})  # noqa: S102 - the suite's own snippet
    assert out.getvalue().strip(), "the snippet's last line prints the tensor that changed"

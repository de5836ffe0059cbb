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


TO_RETURNS_A_COPY = '''"""Linear whose .to() hands back a moved copy, leaving the block itself where it was."""
import copy

from torch import nn


class Linear(nn.Linear):
    def to(self, *args, **kwargs):
        return copy.deepcopy(self)._apply(lambda t: t.to(*args, **kwargs))
'''


def test_a_device_move_mid_life_runs_where_a_second_device_exists(monkeypatch, tmp_path: Path) -> None:
    """``block.to(device)`` and back is a lifecycle operation where torch finds a GPU; on a CPU-only
    machine a note says it was not exercised. Here the second device is the CPU itself (a move that
    changes nothing), to exercise the rule: torch's blocks pass, a ``to()`` returning a copy fails."""
    from conformance.checks import lifecycle

    without = conformance.run("torch", checks=["linear.lifecycle[float32]"], settings=QUICK, isolate=False, quiet=True)
    assert lifecycle.NO_SECOND_DEVICE in " ".join(without.results[0].notes)
    monkeypatch.setattr(lifecycle, "CPU_ONLY_SECOND_DEVICE", "cpu")
    ok = conformance.run("torch", checks=["linear.lifecycle[float32]", "mlp.lifecycle[float64]"], settings=QUICK,
                         isolate=False, quiet=True)
    assert [r.status for r in ok.results] == ["passed", "passed"], [r.reason for r in ok.results]
    assert not any(lifecycle.NO_SECOND_DEVICE in note for r in ok.results for note in r.notes)
    path = tmp_path / "linear_to_returns_a_copy.py"
    path.write_text(TO_RETURNS_A_COPY)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (result,) = conformance.run(str(path), checks=["linear.lifecycle[float32]"], settings=QUICK, isolate=False,
                                    quiet=True).results
    assert result.status == "failed" and "block.to('cpu') did not return the block itself" in result.reason
    assert "block.to('cpu')" in result.snippet

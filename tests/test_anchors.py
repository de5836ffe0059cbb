"""Anchor cases (``conformance/drawing/anchors.py``): the contract's edges run as named examples in
every profile, so a defect there is caught whatever the draw; an anchor a check cannot take is
skipped by it; and a pass rests on judged examples that exercise the property."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import settings

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

import conformance  # noqa: E402
from conformance.core.context import MIN_EXERCISED  # noqa: E402
from conformance.database.chapter import BLOCKS  # noqa: E402
from conformance.drawing import profiles  # noqa: E402
from conformance.drawing.anchors import ANCHORS, BASE, WIDEST  # noqa: E402
from conformance.drawing.strategies import LARGE_WIDTHS  # noqa: E402

profiles.register()
CI = settings.get_profile("ci")
DEV = settings.get_profile("dev")

#: (mutant, the check that names it, the anchor its failure must name)
EDGE_MUTANTS = [
    ("relu_maximum_ties", "relu.gradient[float32]", "relu.zero"),      # gradient 0.5 at x == 0
    ("relu_clamp_grad_at_zero", "relu.gradient[float32]", "relu.zero"),  # gradient 1 at x == 0
    ("relu_custom_backward_ge", "relu.gradient[float64]", "relu.zero"),  # mask x >= 0
    ("relu_mask_multiply", "relu.forward[float32]", "relu.infinities"),  # -inf * 0 = NaN
]


def run(path: Path, checks: list[str], hypothesis_settings: settings, seed: int | None = None):
    return conformance.run(str(path), checks=checks, settings=hypothesis_settings, seed=seed, quiet=True,
                           isolate=False)


@pytest.mark.parametrize("mutant, check_id, anchor", EDGE_MUTANTS, ids=[m[0] for m in EDGE_MUTANTS])
def test_an_edge_defect_is_caught_under_ci_by_its_anchor(mutant: str, check_id: str, anchor: str) -> None:
    """The ci profile (one derandomized draw of 20 examples) catches each edge defect, naming the anchor."""
    result = run(HERE / "mutants" / f"{mutant}.py", [check_id], CI).results[0]
    assert result.status == "failed", f"{mutant}: {check_id} is {result.status}"
    assert f"anchor case {anchor}" in result.reason.splitlines()[0], result.reason
    assert f"anchor  = {anchor}" in result.example


@pytest.mark.parametrize("seed", range(5))
def test_edge_defects_are_caught_under_dev_whatever_the_seed(seed: int) -> None:
    for mutant, check_id, _ in EDGE_MUTANTS:
        result = run(HERE / "mutants" / f"{mutant}.py", [check_id], DEV, seed=seed).results[0]
        assert result.status == "failed", f"{mutant}, seed {seed}: {check_id} is {result.status}"


def test_the_textbook_relu_backward_passes_where_the_upstream_gradient_is_not_finite() -> None:
    """``gy * (x > 0)`` gives NaN where torch gives 0 (x <= 0, gy infinite): both correct; the anchor
    ``nonfinite_upstream`` puts exactly that case in every profile."""
    report = run(HERE / "correct" / "relu_textbook_backward.py", ["relu.gradient*"], CI)
    assert [r.status for r in report.results] == ["passed"] * 4, [r.reason for r in report.results]  # 4 dtypes


def test_every_block_has_anchors_for_the_contract_edges() -> None:
    assert set(ANCHORS) == {spec.key for spec in BLOCKS} == set(BASE)
    names = {key: {a.name for a in anchors} for key, anchors in ANCHORS.items()}
    assert {"no_batch_dim", "empty_batch", "no_bias", "zero_features", "single", "widest"} <= names["linear"]
    assert {"zero", "infinities", "nan", "scalar", "single", "empty"} <= names["relu"]
    for key, anchors in ANCHORS.items():
        assert anchors[0].name == "base", key
        assert len(names[key]) == len(anchors), f"{key}: anchor names repeat"
    assert WIDEST == max(LARGE_WIDTHS)


def test_an_anchor_a_check_cannot_take_is_skipped_not_failed() -> None:
    """independence needs several rows: the empty-batch and no-batch-dim anchors are skipped there."""
    report = run(HERE / "correct" / "scratch_blocks.py", ["linear.independence[float32]", "linear.bad_input"],
                 settings(CI, max_examples=1))
    assert all(r.status == "passed" for r in report.results), [(r.id, r.reason) for r in report.results]


def test_a_pass_rests_on_examples_that_exercise_the_property() -> None:
    """Every pass of a block check on a correct target was judged on at least MIN_EXERCISED examples
    that exercise it, and the result says how many."""
    report = run(HERE / "correct" / "scratch_blocks.py", ["mysequential.forward*", "mysequential.saveload*",
                                                          "linear.gradient*", "relu.forward*"], CI)
    for result in report.results:
        assert result.status == "passed", (result.id, result.reason)
        assert result.exercised is not None and result.exercised >= MIN_EXERCISED, (result.id, result.exercised)


def test_anchors_run_in_the_checks_that_draw_a_blocks_examples_only() -> None:
    """The block checks (``draw_example``) run their block's anchors; the init checks (their own
    draws: an anchor would only be rejected, and shorten their random draw) and the table of forbidden
    constructor calls (``bad_args``: no drawn example) run none."""
    for check in conformance.all_checks():
        draws = check.area != "init" and check.block != "save" and check.property != "bad_args"
        assert check.anchored == draws, check.id

"""The init area end to end: correct targets pass under several Hypothesis seeds (the fast version of
``benchmarks/init_statistics.py --seeds 200``), failures carry a statistic, a p-value, a threshold and a
snippet that reproduces them, and the checks leave torch's global state as they found it."""

from __future__ import annotations

import contextlib
import io
import re
import textwrap
import types
import warnings
from pathlib import Path

import pytest
import torch
from hypothesis import settings

import conformance
from conformance.checks.init import STATISTICAL, stat_seed

ROOT = Path(__file__).resolve().parents[1]
INIT_IDS = [c.id for c in conformance.all_checks() if c.area == "init"]
CI_LIKE = settings(max_examples=20, derandomize=False, database=None, deadline=None)
FAST = settings(max_examples=20, derandomize=True, database=None, deadline=None)


def run(target, checks, hypothesis_settings=FAST, **kwargs):
    """In this process: every target here is trusted (torch, a correct file, mutants that only draw
    wrong values), so an isolated interpreter per run (torch imported again) buys nothing."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return conformance.run(target, checks=checks, settings=hypothesis_settings, isolate=False, **kwargs)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("target, passed", [("torch", 19), (str(ROOT / "tests" / "correct" / "init_blocks.py"), 16)],
                         ids=["torch", "init_blocks"])
def test_correct_targets_pass_the_init_area_under_several_seeds(target, passed, seed):
    """Every init check passes: all 19 on torch; init_blocks defines no MLP, NestMLP or Chimera
    (their reproducible checks are not provided), so 16 there."""
    report = run(target, INIT_IDS, CI_LIKE, seed=seed)
    assert not report.failed(), "\n\n".join(r.message for r in report.failed())
    assert sum(r.status == "passed" for r in report.results) == passed


def test_init_area_ids():
    assert set(STATISTICAL) < set(INIT_IDS)
    for wanted in ("linear.init[default]", "mylinear.init[default]", "fixedhiddenmlp.init[rand_weight]",
                   "init.function[normal_]", "init.function[uniform_]", "init.function[zeros_]",
                   "init.function[constant_]", "init.function[xavier_uniform_]",
                   "sequential.init[init_normal]", "sequential.init[init_constant]", "sequential.init[xavier_42]",
                   "sequential.init[my_init]", "sequential.apply", "linear.reproducible", "mylinear.reproducible",
                   "fixedhiddenmlp.reproducible"):
        assert wanted in INIT_IDS


def snippet_of(message: str) -> str:
    body = message.split("Reproduce:\n", 1)[1]
    # Hypothesis's notes follow ("Falsifying example" before 6.16x, "Failing test case" after)
    body = re.split(r"\n(?=Falsifying example|Failing test case|Draw \d|You can reproduce)", body)[0]
    return textwrap.dedent(body)


def exec_snippet(message: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(snippet_of(message), {})  # noqa: S102 - the snippet a user would paste
    return out.getvalue()


def test_statistical_failure_names_its_test_and_reproduces():
    report = run(str(ROOT / "tests" / "mutants" / "init_normal_std_105pct.py"), ["init.function[normal_]"])
    (failure,) = report.failed()
    message = failure.message
    for needed in ("do not follow N(mean, std^2)", "variance test", "p-value", "threshold", "alpha 1e-05 for the check",
                   "torch.manual_seed(seed)", "assess("):
        assert needed in message, needed
    printed = exec_snippet(message)
    assert printed.startswith("variance test") and "<= threshold" in printed


def test_exact_failure_shrinks_and_reproduces():
    report = run(str(ROOT / "tests" / "mutants" / "linear_init_bound_from_out.py"), ["linear.init[default]"])
    (failure,) = report.failed()
    assert "outside the support" in failure.message
    printed = exec_snippet(failure.message)
    assert "weight / bound" in printed
    ratios = [float(v) for v in re.findall(r"-?\d+\.\d+", printed.split("weight / bound:")[1].split("bias")[0])]
    assert max(abs(r) for r in ratios) > 1.0


def test_in_place_failure_reproduces():
    report = run(str(ROOT / "tests" / "mutants" / "init_zeros_not_inplace.py"), ["init.function[zeros_]"])
    (failure,) = report.failed()
    assert "instead of its argument itself" in failure.message
    assert "returned t itself: False" in exec_snippet(failure.message)


def test_checks_leave_global_state_alone():
    """RNG state, grad mode and default dtype are restored, even around a target that changes them."""

    def normal_(tensor, mean=0.0, std=1.0):
        torch.set_grad_enabled(False)
        torch.set_default_dtype(torch.float64)
        return torch.nn.init.normal_(tensor, mean, std)

    nasty = types.SimpleNamespace(normal_=normal_, uniform_=torch.nn.init.uniform_, zeros_=torch.nn.init.zeros_,
                                  constant_=torch.nn.init.constant_, xavier_uniform_=torch.nn.init.xavier_uniform_)
    torch.manual_seed(123)
    state = torch.get_rng_state()
    before = (torch.is_grad_enabled(), torch.get_default_dtype())
    run({"init": nasty, "Linear": torch.nn.Linear},
        ["init.function[normal_]", "linear.init[default]", "linear.reproducible"], settings(FAST, max_examples=5))
    assert (torch.is_grad_enabled(), torch.get_default_dtype()) == before
    assert torch.equal(torch.get_rng_state(), state)


def test_design_seeds_avoid_drawn_seeds():
    seeds = [5, 7, 7]
    first = stat_seed(seeds, 0, set())
    assert stat_seed(seeds, 0, {first}) != first
    assert stat_seed(seeds, 0, set()) == first, "a hash of the drawn seeds: it replays"
    assert stat_seed(seeds, 1, set()) != first


def test_a_law_failed_by_identical_constructions_says_so():
    """A Linear drawing from a private generator seeded with 0 fails ``init[default]`` (the pooled
    values are one construction repeated); the failure names that cause, not only the test's p-value."""
    report = run(str(ROOT / "tests" / "mutants" / "linear_init_private_generator.py"), ["linear.init[default]"])
    (failure,) = report.failed()
    assert "constructions gave the same values" in failure.message
    assert failure.fact.startswith("all ") and failure.fact.endswith(" constructions identical")

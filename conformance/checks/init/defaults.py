"""Default init: ``Linear`` and ``MyLinear`` at construction, and FixedHiddenMLP's ``rand_weight``."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from conformance.checks.init.sampling import (
    Design,
    Sampler,
    run_init_check,
)
from conformance.core.context import CheckContext
from conformance.core.registry import Check
from conformance.drawing.anchors import WIDEST
from conformance.drawing.blocks import TUTORIAL_OR_WIDTH
from conformance.drawing.strategies import OUT_WIDTHS, WIDTH_VALUES, WIDTHS, out_width
from reference import distributions as D

# -- Linear, MyLinear, FixedHiddenMLP: default init --------------------------------------------------
LINEAR_SAMPLER = Sampler(
    what="Linear", law="U(-1/sqrt(in_features), 1/sqrt(in_features)) (bias 0 when in_features == 0)",
    case_vars=("n_in", "n_out", "bias"),
    body="""block = target.Linear(n_in, n_out, bias=bias)
k = D.linear_bound(n_in)
weight = unwrap(block).weight.detach().to('cpu', torch.float64).numpy().ravel()
bias_values = unwrap(block).bias.detach().to('cpu', torch.float64).numpy().ravel() if bias else np.zeros(0)
parts = {'weight': weight / k, 'bias': bias_values / k} if k > 0 else {}
""",
    dist=D.Uniform(-1.0, 1.0), dist_code="D.Uniform(-1.0, 1.0)",
    describe=lambda c: f"target.Linear({c[0]}, {c[1]}, bias={c[2]})",
    show="print('weight / bound:', weight / (k or 1), 'bias / bound:', bias_values / (k or 1), 'bound:', k)",
    call="block = ", layout="linear.structure",
    verify=lambda ns, c: (None if ns["k"] > 0 or not np.any(ns["bias_values"])
                          else f"with in_features == 0 the bias must be 0 (bound 0); got {ns['bias_values'][:5]}"),
)

#: Linear: in < out and in > out (a bound from out_features is then too small, or too large), and the
#: tutorial's 20 -> 256. Weight and bias are separate groups (a wrong bias bound is its own defect).
LINEAR_DESIGN = (
    Design((3, 8, True), 500, ("weight", "bias"), "in < out: a bound from out_features is 0.61x"),
    Design((8, 3, True), 1000, ("weight", "bias"), "in > out: a bound from out_features is 1.63x"),
    Design((20, 256, True), 16, ("weight", "bias"), "the tutorial's MLP hidden layer"),
)


#: (in, out, bias); in_features == 0 included: bias bound 0.
LINEAR_CASES = st.tuples(st.sampled_from(WIDTH_VALUES + (0,)), OUT_WIDTHS, st.booleans()).map(
    lambda t: (t[0], out_width(t[1], max(t[0], 1)), t[2]))


#: Linear's edges, judged in every profile: in_features == 0 (bias 0: torch's LazyLinear skips its
#: init there, leaving the bias as whatever memory it got) and the widest layer any profile draws.
LINEAR_ANCHORS = (("linear.zero_features", (0, 3, True)), ("linear.widest", (WIDEST, WIDEST, True)))


def check_linear_init(ctx: CheckContext, check: Check, **_declared: object) -> None:
    """Linear(in, out)'s weight and bias: i.i.d. U(-1/sqrt(in), 1/sqrt(in)); bias 0 when in == 0."""
    run_init_check(ctx, check, LINEAR_SAMPLER, lambda data: data.draw(LINEAR_CASES, label="Linear(in, out, bias)"),
                   LINEAR_DESIGN, anchors=LINEAR_ANCHORS)


MYLINEAR_SAMPLER = Sampler(
    what="MyLinear", law="N(0, 1)", case_vars=("in_units", "units"),
    body="""block = target.MyLinear(in_units, units)
parts = {'weight': unwrap(block).weight.detach().to('cpu', torch.float64).numpy().ravel(),
         'bias': unwrap(block).bias.detach().to('cpu', torch.float64).numpy().ravel()}
""",
    dist=D.Normal(0.0, 1.0), dist_code="D.Normal(0.0, 1.0)",
    describe=lambda c: f"target.MyLinear({c[0]}, {c[1]})", show="print(parts)",
    call="block = ", layout="mylinear.structure",
)

MYLINEAR_DESIGN = (
    Design((2, 256), 80, ("weight", "bias"), "weight 40960, bias 20480 values"),
    Design((3, 2), 1000, ("weight", "bias"), "a small block, many constructions"),
)


MYLINEAR_CASES = st.tuples(WIDTHS, OUT_WIDTHS).map(lambda t: (t[0], out_width(t[1], t[0])))


def check_mylinear_init(ctx: CheckContext, check: Check, **_declared: object) -> None:
    """MyLinear(in_units, units)'s weight and bias: i.i.d. N(0, 1)."""
    run_init_check(ctx, check, MYLINEAR_SAMPLER,
                   lambda data: data.draw(MYLINEAR_CASES, label="MyLinear(in_units, units)"),
                   MYLINEAR_DESIGN)


RAND_WEIGHT_SAMPLER = Sampler(
    what="FixedHiddenMLP", law="U[0, 1) (torch.rand)", case_vars=("features",),
    body="""block = target.FixedHiddenMLP(features=features)
parts = {'rand_weight': 2 * block.rand_weight.detach().to('cpu', torch.float64).numpy().ravel() - 1}
""",
    dist=D.Uniform(-1.0, 1.0, closed=False), dist_code="D.Uniform(-1.0, 1.0, closed=False)",
    describe=lambda c: f"target.FixedHiddenMLP(features={c[0]})", show="print(block.rand_weight)",
    call="block = ", layout="fixedhiddenmlp.structure",
)

RAND_WEIGHT_DESIGN = (
    Design((20,), 150, ("rand_weight",), "the tutorial's size (60000 values: KS sees a shape 0.02 off)"),
    Design((3,), 500, ("rand_weight",), "a small block, many constructions"),
)


def check_rand_weight(ctx: CheckContext, check: Check, **_declared: object) -> None:
    """FixedHiddenMLP's rand_weight (read as an attribute, buffer or not): i.i.d. U[0, 1)."""
    run_init_check(ctx, check, RAND_WEIGHT_SAMPLER,
                   lambda data: (data.draw(TUTORIAL_OR_WIDTH, label="features"),), RAND_WEIGHT_DESIGN)

"""The target's ``init`` namespace: ``normal_``, ``uniform_``, ``xavier_uniform_``, ``zeros_``, ``constant_``:
the law, in place, returns its tensor, no autograd history."""

from __future__ import annotations

import math

import torch
from hypothesis import assume
from hypothesis import strategies as st

from conformance.checks.init.sampling import (
    SUPPORT_RTOL,
    Case,
    Design,
    InitRunner,
    Sampler,
    preserved_state,
    run_init_check,
)
from conformance.core.context import CheckContext
from conformance.core.registry import Check
from conformance.drawing.examples import seeded
from reference import distributions as D

# -- the init namespace ---------------------------------------------------------------------------------
FILL_SETUP = """t = torch.full(shape, float('nan'), dtype=dtype, requires_grad=requires_grad)
ptr = t.data_ptr()
"""
FILL_SHOW = "print('returned t itself:', r is t, '| grad_fn:', t.grad_fn, '| leaf:', t.is_leaf, '| values:', t)"


def verify_fill(ns: dict, case: Case) -> str | None:
    """In place, returns its tensor, records no history, keeps shape/dtype/requires_grad."""
    shape, dtype, requires_grad = case[0], case[1], case[2]
    t, r = ns["t"], ns["r"]
    if r is not t:
        return (f"returned {type(r).__name__} {getattr(r, 'shape', '')} instead of its argument itself "
                "(torch.nn.init works in place and returns the tensor it was given)")
    if t.grad_fn is not None or not t.is_leaf:
        return f"recorded autograd history on the tensor it filled (grad_fn {t.grad_fn}); it must fill under no_grad"
    if t.requires_grad != requires_grad:
        return f"changed requires_grad from {requires_grad} to {t.requires_grad}"
    if tuple(t.shape) != tuple(shape) or t.dtype != dtype:
        return f"changed the tensor to shape {tuple(t.shape)}, dtype {t.dtype} (given {tuple(shape)}, {dtype})"
    if t.numel() and t.data_ptr() != ns["ptr"]:
        return "replaced the tensor's storage instead of writing into it"
    return None


def fill_rtol(a: float, b: float) -> float:
    half = (b - a) / 2
    return SUPPORT_RTOL * (1 + max(abs(a), abs(b)) / half)


NORMAL_SAMPLER = Sampler(
    what="init.function[normal_]", law="N(mean, std^2)", case_vars=("shape", "dtype", "requires_grad", "mean", "std"),
    body=FILL_SETUP + """r = init.normal_(t) if std is None else init.normal_(t, mean, std)  # None: torch's defaults
parts = {'values': (t.detach().to('cpu', torch.float64).numpy().ravel() - (mean or 0.0)) / (std or 1.0)}
""",
    dist=D.Normal(0.0, 1.0), dist_code="D.Normal(0.0, 1.0)",
    describe=lambda c: f"init.normal_(torch.empty({c[0]}, dtype={c[1]}, requires_grad={c[2]})"
                       + ("" if c[4] is None else f", {c[3]!r}, {c[4]!r}") + ")",
    show=FILL_SHOW, call="r = init.", verify=verify_fill,
)

NORMAL_DESIGN = (
    Design(((100, 200), torch.float32, False, None, None), 1, ("values",), "defaults (N(0, 1)), one large tensor"),
    Design(((50, 4, 5), torch.float32, True, -0.5, 0.02), 25, ("values",), "std != 1, mean != 0"),
    Design(((2, 3, 4, 5), torch.float64, True, 3.0, 7.0), 170, ("values",), "float64, 4-D, std > 1"),
    Design(((3,), torch.float32, False, 1.0, 0.5), 1000, ("values",), "a tensor under 16 elements, many calls"),
)

SHAPES_1D_4D = st.lists(st.integers(0, 6), min_size=1, max_size=4).map(tuple)
SHAPES_2D_4D = st.lists(st.integers(1, 6), min_size=2, max_size=4).map(tuple)
FLOAT_DTYPES = st.sampled_from([torch.float32, torch.float64])
STDS = st.sampled_from([1.0, 0.01, 0.5, 3.0, 100.0]) | st.floats(1e-3, 1e3)
#: Means in units of std: |mean| / std <= 50 keeps float32 rounding of mean + std * z far below
#: what the tests can see (|error| of the standardized value < 1e-5).
MEAN_RATIOS = st.sampled_from([0.0, 1.0, -2.5]) | st.floats(-50, 50)


def draw_tensor_args(data: st.DataObject, shapes: st.SearchStrategy = SHAPES_1D_4D) -> tuple:
    return (data.draw(shapes, label="shape"), data.draw(FLOAT_DTYPES, label="dtype"),
            data.draw(st.booleans(), label="requires_grad"))


def draw_normal_case(data: st.DataObject) -> Case:
    std = data.draw(STDS, label="std")
    return draw_tensor_args(data) + (data.draw(MEAN_RATIOS, label="mean / std") * std, std)


def check_normal(ctx: CheckContext, check: Check) -> None:
    """init.normal_(t, mean, std): i.i.d. N(mean, std^2), in place, returns t, no autograd history."""
    run_init_check(ctx, check, NORMAL_SAMPLER, draw_normal_case, NORMAL_DESIGN)


UNIFORM_SAMPLER = Sampler(
    what="init.function[uniform_]", law="U(a, b)", case_vars=("shape", "dtype", "requires_grad", "a", "b"),
    body=FILL_SETUP + """r = init.uniform_(t) if b is None else init.uniform_(t, a, b)  # None: torch's defaults
low, high = (0.0, 1.0) if b is None else (a, b)
parts = {'values': D.Uniform(low, high).standardize(t.detach().to('cpu', torch.float64).numpy().ravel())}
""",
    dist=D.Uniform(-1.0, 1.0), dist_code="D.Uniform(-1.0, 1.0)",
    describe=lambda c: f"init.uniform_(torch.empty({c[0]}, dtype={c[1]}, requires_grad={c[2]})"
                       + ("" if c[4] is None else f", {c[3]!r}, {c[4]!r}") + ")",
    show=FILL_SHOW, call="r = init.", verify=verify_fill,
    rtol=lambda c: fill_rtol(0.0, 1.0) if c[4] is None else fill_rtol(c[3], c[4]),
)

UNIFORM_DESIGN = (
    Design(((100, 200), torch.float32, False, None, None), 1, ("values",), "defaults (U(0, 1)), one large tensor"),
    Design(((50, 4, 5), torch.float32, True, -3.0, 5.0), 10, ("values",), "asymmetric bounds"),
    Design(((2, 3, 4, 5), torch.float64, True, -0.01, 0.01), 40, ("values",), "float64, 4-D, narrow"),
    Design(((3,), torch.float32, False, 2.0, 2.5), 1000, ("values",), "a tiny tensor, many calls"),
)

LOWS = st.sampled_from([0.0, -1.0, -10.0]) | st.floats(-100, 100)
WIDTHS_U = st.sampled_from([1.0, 2.0, 20.0]) | st.floats(1e-2, 1e3)


def draw_uniform_case(data: st.DataObject) -> Case:
    a = data.draw(LOWS, label="a")
    b = a + data.draw(WIDTHS_U, label="b - a")
    assume(b > a and max(abs(a), abs(b)) <= 20 * (b - a))  # float32 rounding stays far below the tests' reach
    return draw_tensor_args(data) + (a, b)


def check_uniform(ctx: CheckContext, check: Check) -> None:
    """init.uniform_(t, a, b): i.i.d. U(a, b), in place, returns t, no autograd history."""
    run_init_check(ctx, check, UNIFORM_SAMPLER, draw_uniform_case, UNIFORM_DESIGN)


XAVIER_SAMPLER = Sampler(
    what="init.function[xavier_uniform_]", law="U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))",
    case_vars=("shape", "dtype", "requires_grad", "gain"),
    body=FILL_SETUP + """r = init.xavier_uniform_(t) if gain is None else init.xavier_uniform_(t, gain)  # None: gain 1
parts = {'values': t.detach().to('cpu', torch.float64).numpy().ravel() / D.xavier_uniform_bound(shape, gain or 1.0)}
""",
    dist=D.Uniform(-1.0, 1.0), dist_code="D.Uniform(-1.0, 1.0)",
    describe=lambda c: f"init.xavier_uniform_(torch.empty({c[0]}, dtype={c[1]}, requires_grad={c[2]})"
                       + ("" if c[3] is None else f", {c[3]!r}") + ")",
    show=FILL_SHOW + "\nprint('fans (in, out):', D.fans(shape), 'bound:', D.xavier_uniform_bound(shape, gain or 1.0))",
    verify=verify_fill, call="r = init.",
)

#: Fans: fan_out > fan_in and the reverse (a fan taken twice from one dim is off both ways), a 3-D and a
#: 4-D shape (receptive fields 5 and 15; size(-1) != size(1)), gains other than 1, one large tensor.
XAVIER_DESIGN = (
    Design(((8, 3), torch.float32, True, None), 200, ("values",), "fan_out > fan_in, the default gain (1)"),
    Design(((3, 8), torch.float32, False, 1.0), 200, ("values",), "fan_in > fan_out"),
    Design(((6, 4, 5), torch.float32, False, 1.0), 40, ("values",), "3-D, receptive field 5"),
    Design(((4, 2, 3, 5), torch.float64, True, math.sqrt(2)), 40, ("values",), "4-D, receptive field 15, gain sqrt 2"),
    Design(((5, 7), torch.float32, False, 0.5), 150, ("values",), "gain 0.5"),
    Design(((100, 200), torch.float32, False, 1.0), 2, ("values",), "40000 values: KS sees a shape 0.02 off"),
)

GAINS = st.sampled_from([1.0, math.sqrt(2), 5 / 3, 0.5]) | st.floats(0.1, 10)
LOW_DIM_SHAPES = st.lists(st.integers(0, 6), max_size=1).map(tuple)


def xavier_rejects_low_dims(runner: InitRunner, data: st.DataObject) -> None:
    """Fewer than 2 dims: fans are undefined, so ValueError."""
    shape = data.draw(LOW_DIM_SHAPES, label="a 0-D or 1-D shape")
    init = runner.ctx.target.get("init")
    code = f"init.xavier_uniform_(torch.empty({shape}))"
    snippet = runner.snippet([], (), f"{code}  # must raise ValueError")
    example = f"{code}: a {len(shape)}-D tensor"

    def attempt() -> str | None:
        try:
            init.xavier_uniform_(torch.empty(shape))
        except ValueError:
            return None
        except Exception as exc:  # noqa: BLE001
            return f"raised {type(exc).__name__} ({exc}) for a {len(shape)}-D tensor; the spec says ValueError"
        return f"returned for a {len(shape)}-D tensor, whose fans are undefined; the spec says ValueError"

    with seeded(0, runner.ctx.device), preserved_state():
        problem = runner.call(code, attempt)
    if problem:
        raise runner.failure(problem, "", example, snippet)


def draw_xavier_case(data: st.DataObject) -> Case:
    return draw_tensor_args(data, SHAPES_2D_4D) + (data.draw(GAINS, label="gain"),)


def check_xavier(ctx: CheckContext, check: Check) -> None:
    """init.xavier_uniform_(t, gain): i.i.d. U(-a, a) with torch's fans; ValueError below 2 dims."""
    run_init_check(ctx, check, XAVIER_SAMPLER, draw_xavier_case, XAVIER_DESIGN, extra=xavier_rejects_low_dims)


ZEROS_SAMPLER = Sampler(
    what="init.function[zeros_]", law="the constant 0", case_vars=("shape", "dtype", "requires_grad"),
    body=FILL_SETUP + "r = init.zeros_(t)\n",
    dist=D.PointMass(0.0), dist_code="D.PointMass(0.0)",
    describe=lambda c: f"init.zeros_(torch.empty({c[0]}, dtype={c[1]}, requires_grad={c[2]}))",
    show=FILL_SHOW, call="r = init.",
    verify=lambda ns, c: verify_fill(ns, c) or (
        None if bool((ns["t"].detach() == 0).all()) else f"left values other than 0: {ns['t']}"),
)

CONSTANT_SAMPLER = Sampler(
    what="init.function[constant_]", law="the constant val", case_vars=("shape", "dtype", "requires_grad", "val"),
    body=FILL_SETUP + "r = init.constant_(t, val)\n",
    dist=D.PointMass(0.0), dist_code="D.PointMass(0.0)",
    describe=lambda c: f"init.constant_(torch.empty({c[0]}, dtype={c[1]}, requires_grad={c[2]}), {c[3]!r})",
    show=FILL_SHOW, call="r = init.",
    verify=lambda ns, c: verify_fill(ns, c) or (
        None if bool((ns["t"].detach() == torch.full_like(ns["t"], c[3]).detach()).all())
        else f"values differ from {c[3]!r} (as {c[1]}): {ns['t']}"),
)

CONSTANTS = st.sampled_from([0.0, 1.0, 42.0, -0.5]) | st.floats(-1e6, 1e6) | st.integers(-100, 100)


def check_zeros(ctx: CheckContext, check: Check) -> None:
    """init.zeros_(t): every entry 0, in place, returns t, no autograd history."""
    run_init_check(ctx, check, ZEROS_SAMPLER, draw_tensor_args, statistical=False)


def check_constant(ctx: CheckContext, check: Check) -> None:
    """init.constant_(t, val): every entry val (in t's dtype), in place, returns t, no autograd history."""
    run_init_check(ctx, check, CONSTANT_SAMPLER, lambda data: draw_tensor_args(data) + (
        data.draw(CONSTANTS, label="val"),), statistical=False)

"""Verification of the rounding-error rules (``reference/bounds.py``) and of the bounds the reference
blocks derive from them (``run_forward_backward(..., prec=...)``: ``ey``, ``egx``, ``grad_errors``).

A bound must be

* VALID: a correct float32 computation, summing in any order (left to right, right to left,
  pairwise, bias first, fused multiply-add, accumulating in float64, numpy / BLAS), with gradual
  underflow or flush-to-zero, never exceeds it; measured against the exact value (exact integer arithmetic);
* SHARP enough: the same computation carried out in float16 (and a float32 computation judged as
  float64) exceeds it on generic data.
"""

from __future__ import annotations

import functools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reference as R
from reference.bounds import Precision, add_error, affine_error, gamma, matmul_error, scale_error, sum_error

F32 = np.float32
TINY32 = float(np.finfo(np.float32).tiny)
PREC32 = Precision(u=2.0**-24 + 2.0**-53, tiny=TINY32)  # a float32 block, judged against float64
PREC64 = Precision(u=2.0**-53 + 2.0**-53, tiny=float(np.finfo(np.float64).tiny))  # a float64 block

BOUND_SETTINGS = settings(max_examples=50, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ---------------------------------------------------------------------------------------------
# exact arithmetic and float32 computations in several orders
# ---------------------------------------------------------------------------------------------
def f32(a) -> np.ndarray:
    """Round to float32, returned as (exactly representable) float64."""
    return np.asarray(a, dtype=np.float64).astype(np.float32).astype(np.float64)


class Exact:
    """An exact dyadic array: Python integers ``num`` (an object array) times 2**-scale.

    Every float32 value is an integer multiple of 2**-149, so sums and products of float32 values
    stay exact in integers; much faster than ``Fraction`` and just as exact."""

    def __init__(self, num, scale: int) -> None:
        self.num, self.scale = np.asarray(num, dtype=object), scale

    @classmethod
    def of(cls, a) -> "Exact":
        a = np.asarray(a, dtype=np.float64)
        assert np.array_equal(f32(a), a), "not float32-representable"
        return cls(np.array([int(v) for v in np.ldexp(a, 149).ravel()], dtype=object).reshape(a.shape), 149)

    def _aligned(self, other: "Exact"):
        s = max(self.scale, other.scale)
        return self.num * (1 << (s - self.scale)), other.num * (1 << (s - other.scale)), s

    def __add__(self, other: "Exact") -> "Exact":
        a, b, s = self._aligned(other)
        return Exact(a + b, s)

    def __mul__(self, other: "Exact") -> "Exact":
        return Exact(self.num * other.num, self.scale + other.scale)

    def __matmul__(self, other: "Exact") -> "Exact":
        return Exact(self.num @ other.num, self.scale + other.scale)

    @property
    def T(self) -> "Exact":
        return Exact(self.num.T, self.scale)

    @property
    def shape(self):
        return self.num.shape

    def sum(self, axis=None) -> "Exact":
        return Exact(np.sum(self.num, axis=axis), self.scale)

    def positive(self) -> np.ndarray:
        return np.vectorize(lambda k: k > 0, otypes=[bool])(self.num)

    def where(self, mask) -> "Exact":
        return Exact(np.where(mask, self.num, 0), self.scale)

    def hi_lo(self):
        """Float64 arrays hi (correctly rounded) and lo (the remainder, rounded): exact = hi + lo."""
        den = 1 << self.scale
        hi = np.array([k / den for k in self.num.ravel()]).reshape(self.shape)
        lo = []
        for k, h in zip(self.num.ravel(), hi.ravel(), strict=True):
            p, q = float(h).as_integer_ratio()
            lo.append((k - p * den // q) / den)
        return hi, np.array(lo).reshape(self.shape)


def excess(computed, exact: Exact, bound) -> np.ndarray:
    """Elementwise: does |computed - exact| exceed ``bound``? Decided in exact arithmetic."""
    computed = np.asarray(computed, dtype=np.float64)
    bound = np.asarray(bound, dtype=np.float64)
    assert computed.shape == exact.shape == bound.shape, (computed.shape, exact.shape, bound.shape)
    assert np.all(np.isfinite(computed))
    if computed.ndim == 0:
        return excess(computed[None], Exact(exact.num[None], exact.scale), bound[None]).reshape(())
    hi, lo = exact.hi_lo()
    # |computed - exact| <= |computed - hi| + |lo|, each computed with relative error <= 2**-52
    out = ~((np.abs(computed - hi) + np.abs(lo)) * (1 + 2.0**-49) <= bound)
    den = 1 << exact.scale
    for idx in zip(*np.nonzero(out), strict=True):  # undecided: the exact comparison
        err = abs(Fraction(float(computed[idx])) * den - exact.num[idx])
        out[idx] = err > Fraction(float(bound[idx])) * den
    return out


def assert_within(computed, exact: Exact, bound, what=""):
    bad = excess(computed, exact, bound)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        hi, _ = exact.hi_lo()
        c = np.asarray(computed, dtype=np.float64)
        raise AssertionError(f"{what}: {bad.sum()} of {bad.size} elements out of bounds; at {idx}: computed "
                             f"{c[idx]!r}, exact {hi[idx]!r}, bound {np.asarray(bound)[idx]!r}")


E = Exact.of


def exact_affine(x2, w, b) -> Exact:
    y = Exact.of(x2) @ Exact.of(w).T
    return y if b is None else y + Exact.of(b)


def _pairwise(p):
    n = p.shape[-1]
    if n == 1:
        return p[..., 0]
    return _pairwise(p[..., : n // 2]) + _pairwise(p[..., n // 2:])


def _flush(v):
    return np.where(np.abs(v) < TINY32, F32(0), v).astype(F32)


def _left_to_right(p, acc=None):
    for j in range(p.shape[-1]):
        acc = p[..., j] if acc is None else acc + p[..., j]
    return acc


def matmul32_orders(a, b, init=None, perm=None) -> dict[str, np.ndarray]:
    """a @ b (+ init, broadcast over rows) in float32, as float64 arrays: numpy / BLAS, and every
    product rounded to float32 then summed left to right, right to left, pairwise, from the bias,
    largest first, in a given permutation; with fused multiply-adds; with flush-to-zero of every
    result below the smallest normal; and accumulated in float64, rounded once."""
    a, b = np.atleast_2d(np.asarray(a, dtype=np.float64)), np.asarray(b, dtype=np.float64)
    a32, b32 = a.astype(F32), b.astype(F32)
    i32 = None if init is None else np.broadcast_to(np.asarray(init, dtype=F32), (a.shape[0], b.shape[1]))
    res = {}
    with np.errstate(all="ignore"):
        res["numpy matmul"] = a32 @ b32
        res["einsum"] = np.einsum("rk,kc->rc", a32, b32)
        if i32 is not None:
            res = {k: v + i32 for k, v in res.items()}
        p = a32[:, None, :] * b32.T[None, :, :]  # (rows, cols, n): every product rounded to float32
        p64 = a[:, None, :] * b.T[None, :, :]  # exact: 24-bit by 24-bit products, far from underflow

        def finish(acc):
            return acc if i32 is None else acc + i32

        res["left to right"] = finish(_left_to_right(p))
        res["right to left"] = finish(_left_to_right(p[..., ::-1]))
        res["pairwise"] = finish(_pairwise(p))
        order = np.argsort(-np.abs(p), axis=-1, kind="stable")
        res["largest first"] = finish(_left_to_right(np.take_along_axis(p, order, axis=-1)))
        if perm is not None:
            res["permuted"] = finish(_left_to_right(p[..., list(perm)]))
        if i32 is not None:
            res["bias first"] = _left_to_right(p, i32.copy())
            res["pairwise with bias"] = _pairwise(np.concatenate([p, i32[..., None]], axis=-1))
        # fused multiply-add from the bias (gemm with beta = 1): one rounding of a*b + acc (the
        # float64 step rounds to 2**-53 first, within u = 2**-24 + 2**-53)
        acc = np.zeros(p.shape[:-1]) if i32 is None else i32.astype(np.float64)
        for j in range(p.shape[-1]):
            acc = (p64[..., j] + acc).astype(F32).astype(np.float64)
        res["fma"] = acc
        acc = _left_to_right(_flush(p)[..., :1])
        for j in range(1, p.shape[-1]):
            acc = _flush(acc + _flush(p[..., j]))
        res["flush to zero"] = acc if i32 is None else _flush(acc + i32)
        s = p64.sum(axis=-1)
        res["float64 accumulation"] = (s if i32 is None else s + i32).astype(F32)
    return {k: np.asarray(v, dtype=np.float64) for k, v in res.items()}


def make_linear(w, b=None) -> R.Linear:
    lin = R.Linear(w.shape[1], w.shape[0], bias=b is not None)
    lin.load_state_dict({"weight": w} if b is None else {"weight": w, "bias": b})
    return lin


# ---------------------------------------------------------------------------------------------
# strategies: float32-representable values, zeros, negatives, magnitudes 1e-30 .. 1e12
# ---------------------------------------------------------------------------------------------
SPECIALS = [0.0, -0.0, 1.0, -1.0, TINY32, -TINY32, float(np.finfo(np.float32).smallest_subnormal), 1e12, -1e12]


SEEDS = st.integers(0, 2**32 - 1)
ZERO_SHARES = st.sampled_from([0.0, 0.2, 0.8])


@functools.lru_cache(maxsize=None)
def _scale_strategies(lo, hi):
    # built once: Hypothesis validates a strategy on its first draw, which costs more than the draw
    specials = st.sampled_from([v for v in SPECIALS if abs(v) <= 10.0 ** (hi + 1)])
    return st.integers(lo, hi), st.lists(st.tuples(st.integers(0, 2**16), specials), max_size=3)


@st.composite
def f32_arrays(draw, shape, lo=-30, hi=12):
    """Float32-representable values: bulk from a drawn seed (cheap to draw at width 64), with drawn
    magnitudes (one scale 10**lo .. 10**hi for the array, or one per element), a drawn share of
    exact zeros, and a few special values placed by hand."""
    exponents, placements = _scale_strategies(lo, hi)
    rng = np.random.default_rng(draw(SEEDS, label="seed"))
    mant = rng.uniform(-10.0, 10.0, shape)
    if draw(st.booleans(), label="one scale"):
        scale = 10.0 ** draw(exponents, label="exponent")
    else:
        scale = 10.0 ** rng.integers(lo, hi + 1, shape).astype(np.float64)
    out = np.where(rng.random(shape) < draw(ZERO_SHARES, label="share of zeros"), 0.0, mant * scale)
    places = draw(placements, label="specials")
    if out.size:
        flat = out.reshape(-1)
        for i, v in places:
            flat[i % flat.size] = v
    return f32(out)


WIDTHS = st.integers(1, 8) | st.integers(9, 64)
LEADS = st.sampled_from([(), (1,), (2,), (3,), (2, 2)])


def rows(a):
    return a.reshape(-1, a.shape[-1])


# ---------------------------------------------------------------------------------------------
# the primitive rules, with operand errors
# ---------------------------------------------------------------------------------------------
def test_gamma():
    p = Precision(u=2.0**-24, tiny=0.0)
    assert gamma(0, p) == 0.0
    assert gamma(1, p) == pytest.approx(2.0**-24, rel=1e-6) and gamma(1, p) > 2.0**-24
    assert gamma(10, p) == pytest.approx(10 * 2.0**-24 / (1 - 10 * 2.0**-24), rel=1e-15)
    assert gamma(2**24, p) == float("inf") and gamma(2**25, p) == float("inf")
    assert gamma(100, p) > 100 * 2.0**-24  # never below n u


def perturbed(draw, a, rel_exp):
    """(a', ea): a float32 neighbour of ``a`` and an (upward-rounded) bound on |a' - a|."""
    rng = np.random.default_rng(draw(SEEDS, label="perturbation seed"))
    delta = rng.uniform(-1.0, 1.0, a.shape)
    a2 = f32(a * (1 + delta * 10.0**rel_exp) + delta * 1e-36)
    ea = np.nextafter(np.abs(a2 - a), np.inf)
    return a2, ea


@BOUND_SETTINGS
@given(data=st.data(), n=WIDTHS, p=st.integers(1, 3), q=st.integers(1, 3), rel_exp=st.integers(-8, -2))
def test_matmul_error_valid_with_operand_errors(data, n, p, q, rel_exp):
    a = data.draw(f32_arrays((p, n)), label="a")
    b = data.draw(f32_arrays((n, q)), label="b")
    a2, ea = perturbed(data.draw, a, rel_exp)
    b2, eb = perturbed(data.draw, b, rel_exp)
    bound = matmul_error(a, ea, b, eb, PREC32)
    exact = E(a) @ E(b)
    for name, got in matmul32_orders(a2, b2).items():
        assert_within(got, exact, bound, name)


@BOUND_SETTINGS
@given(data=st.data(), n=WIDTHS, p=st.integers(1, 3), m=st.integers(1, 3), bias=st.booleans(),
       rel_exp=st.integers(-8, -2))
def test_affine_error_valid_with_input_errors(data, n, p, m, bias, rel_exp):
    x = data.draw(f32_arrays((p, n)), label="x")
    w = data.draw(f32_arrays((m, n)), label="w")
    b = data.draw(f32_arrays((m,)), label="b") if bias else None
    x2, ex = perturbed(data.draw, x, rel_exp)
    bound = affine_error(x, ex, w, b, PREC32)
    exact = exact_affine(x, w, b)
    for name, got in matmul32_orders(x2, w.T, b).items():
        assert_within(got, exact, bound, name)


@BOUND_SETTINGS
@given(data=st.data(), shape=st.sampled_from([(5,), (1, 4), (6, 3), (2, 3, 2)]), rel_exp=st.integers(-8, -2))
def test_add_scale_and_sum_errors_valid(data, shape, rel_exp):
    a = data.draw(f32_arrays(shape), label="a")
    b = data.draw(f32_arrays(shape), label="b")
    c = float(data.draw(f32_arrays(()), label="c"))
    a2, ea = perturbed(data.draw, a, rel_exp)
    b2, eb = perturbed(data.draw, b, rel_exp)
    with np.errstate(all="ignore"):
        assert_within(a2.astype(F32) + b2.astype(F32), E(a) + E(b), add_error(a, ea, b, eb, PREC32), "add")
        assert_within(F32(c) * a2.astype(F32), E(a) * E(c), scale_error(a, ea, c, PREC32), "scale")
        for axis in [0, -1, None]:
            bound = sum_error(a, ea, axis, PREC32)
            assert_within(np.sum(a2.astype(F32), axis=axis), E(a).sum(axis), bound, f"numpy sum, axis {axis}")
    # every order of one long sum
    flat = a.reshape(1, -1)
    bound = sum_error(flat, ea.reshape(1, -1), -1, PREC32)[:, None]
    for name, got in matmul32_orders(a2.reshape(1, -1), np.ones((flat.size, 1))).items():
        assert_within(got, E(flat) @ E(np.ones((flat.size, 1))), bound, name)


def test_sum_error_of_nothing_is_zero():
    assert sum_error(np.zeros((0, 3)), np.zeros((0, 3)), 0, PREC32).tolist() == [0.0, 0.0, 0.0]


# ---------------------------------------------------------------------------------------------
# 5. Linear: float32 forward and backward stay within ey / egx / grad_errors
# ---------------------------------------------------------------------------------------------
@st.composite
def linear_cases(draw, lo=-30, hi=12):
    n, m = draw(WIDTHS), draw(st.integers(1, 4))
    lead = draw(LEADS)
    w = draw(f32_arrays((m, n), lo, hi), label="w")
    b = draw(f32_arrays((m,), lo, hi), label="b") if draw(st.booleans(), label="bias") else None
    x = draw(f32_arrays(lead + (n,), lo, hi), label="x")
    gy = draw(f32_arrays(lead + (m,), lo, hi), label="gy")
    perm = draw(st.permutations(range(n)), label="order")
    return x, w, b, gy, perm


@BOUND_SETTINGS
@given(case=linear_cases())
def test_linear_forward_float32_within_ey(case):
    x, w, b, gy, perm = case
    out = R.run_forward_backward(make_linear(w, b), x, prec=PREC32)
    exact = exact_affine(rows(x), w, b)
    bound = rows(out["ey"]) if x.ndim > 1 else out["ey"][None]
    for name, got in matmul32_orders(rows(x), w.T, b, perm).items():
        assert_within(got, exact, bound, name)


@BOUND_SETTINGS
@given(case=linear_cases())
def test_linear_backward_float32_within_egx_and_grad_errors(case):
    x, w, b, gy, _ = case
    out = R.run_forward_backward(make_linear(w, b), x, gy, prec=PREC32)
    x2, gy2 = rows(x), rows(gy)
    egx = rows(out["egx"]) if x.ndim > 1 else out["egx"][None]
    perm_r = list(range(x2.shape[0]))[::-1]
    for name, got in matmul32_orders(gy2, w).items():
        assert_within(got, E(gy2) @ E(w), egx, f"gx, {name}")
    for name, got in matmul32_orders(gy2.T, x2, perm=perm_r).items():
        assert_within(got, E(gy2).T @ E(x2), out["grad_errors"]["weight"], f"gweight, {name}")
    if b is not None:
        exact = E(gy2).sum(axis=0)
        got = gy2.astype(F32).sum(axis=0)
        assert_within(got, exact, out["grad_errors"]["bias"], "gbias, numpy sum")
        for name, got in matmul32_orders(gy2.T, np.ones((gy2.shape[0], 1)), perm=perm_r).items():
            assert_within(got[:, 0], exact, out["grad_errors"]["bias"], f"gbias, {name}")


def test_linear_bounds_hold_with_exact_cancellation():
    # y = 1e8 + 1 - 1e8: the exact result is 1, a float32 left-to-right sum gives 0
    x = np.array([[1e8, 1.0, -1e8]])
    w = np.ones((1, 3))
    out = R.run_forward_backward(make_linear(w), x, prec=PREC32)
    assert out["y"][0, 0] == 1.0
    got = matmul32_orders(x, w.T)
    assert got["left to right"][0, 0] == 0.0
    for name, v in got.items():
        assert_within(v, E(x) @ E(w).T, out["ey"], name)


# ---------------------------------------------------------------------------------------------
# 5. Sequential(Linear, ReLU, Linear) in float32
# ---------------------------------------------------------------------------------------------
def mlp32(x, w1, b1, w2, b2, gy):
    """Forward and backward in numpy float32 throughout (the gradient of ReLU from float32 z)."""
    x, w1, b1, w2, b2, gy = (a.astype(F32) for a in (x, w1, b1, w2, b2, gy))
    z = x @ w1.T + b1
    h = np.maximum(z, F32(0))
    y = h @ w2.T + b2
    gh = gy @ w2
    gz = np.where(z > 0, gh, F32(0))
    gx = gz @ w1
    x2, h2, gy2, gz2 = rows(x), rows(h), rows(gy), rows(gz)
    grads = {"0.weight": gz2.T @ x2, "0.bias": gz2.sum(0), "2.weight": gy2.T @ h2, "2.bias": gy2.sum(0)}
    return y, gx, grads


def mlp_exact(x, w1, b1, w2, b2, gy):
    x2, gy2 = E(rows(x)), E(rows(gy))
    z = x2 @ E(w1).T + E(b1)
    pos = z.positive()
    h = z.where(pos)
    y = h @ E(w2).T + E(b2)
    gz = (gy2 @ E(w2)).where(pos)
    grads = {"0.weight": gz.T @ x2, "0.bias": gz.sum(0), "2.weight": gy2.T @ h, "2.bias": gy2.sum(0)}
    return y, gz @ E(w1), grads


@st.composite
def mlp_cases(draw):
    n, k, m = draw(WIDTHS), draw(st.integers(1, 16)), draw(st.integers(1, 4))
    lead = draw(LEADS)
    # scales kept to 1e-20 .. 1e5 so that nothing overflows float32 two layers deep
    x = draw(f32_arrays(lead + (n,), -20, 5), label="x")
    w1 = draw(f32_arrays((k, n), -20, 5), label="w1")
    b1 = draw(f32_arrays((k,), -20, 5), label="b1")
    if draw(st.booleans(), label="cancel"):  # the first row's pre-activations are (nearly) zero
        b1 = -f32(rows(x)[0] @ w1.T)
    w2 = draw(f32_arrays((m, k), -20, 5), label="w2")
    b2 = draw(f32_arrays((m,), -20, 5), label="b2")
    gy = draw(f32_arrays(lead + (m,), -20, 5), label="gy")
    return x, w1, b1, w2, b2, gy


def mlp_reference(x, w1, b1, w2, b2, gy, prec):
    seq = R.Sequential(make_linear(w1, b1), R.ReLU(), make_linear(w2, b2))
    return R.run_forward_backward(seq, x, gy, prec=prec)


@BOUND_SETTINGS
@given(case=mlp_cases())
def test_sequential_float32_within_bounds(case):
    x, w1, b1, w2, b2, gy = case
    out = mlp_reference(*case, PREC32)
    y_e, gx_e, grads_e = mlp_exact(*case)
    with np.errstate(all="ignore"):
        y, gx, grads = mlp32(*case)
    assert_within(rows(y), y_e, rows(out["ey"]) if y.ndim > 1 else out["ey"][None], "y")
    assert_within(rows(gx), gx_e, rows(out["egx"]) if gx.ndim > 1 else out["egx"][None], "gx")
    for name, g in grads.items():
        assert_within(g, grads_e[name], out["grad_errors"][name], name)
    # also with a float64 accumulation rounded once per layer
    z = f32(rows(x) @ w1.T + b1)
    y64 = f32(np.maximum(z, 0) @ w2.T + b2)
    assert_within(y64, y_e, rows(out["ey"]) if y.ndim > 1 else out["ey"][None], "y, float64 accumulation")


def test_relu_sign_ambiguity_is_covered():
    # z = x w + b is exactly 2**-30 > 0, but its float32 computation rounds it away to 0 (ReLU: no
    # gradient), while the exact gradient flows: the bound must allow either.
    x = np.array([[1.0, 2.0**-30]])
    w1 = np.array([[1.0, 1.0]])
    b1 = np.array([-1.0])
    w2 = np.array([[3.0]])
    b2 = np.array([0.0])
    gy = np.array([[1.0]])
    case = (x, w1, b1, w2, b2, gy)
    _, gx32, grads32 = mlp32(*case)
    y_e, gx_e, grads_e = mlp_exact(*case)
    assert gx32[0, 0] == 0.0 and gx_e.hi_lo()[0][0, 0] == 3.0  # the float32 mask disagrees with the exact one
    out = mlp_reference(*case, PREC32)
    assert_within(gx32, gx_e, out["egx"], "gx")
    for name, g in grads32.items():
        assert_within(g, grads_e[name], out["grad_errors"][name], name)


# ---------------------------------------------------------------------------------------------
# 5. tied: one Linear used twice, gradients summed in float32
# ---------------------------------------------------------------------------------------------
@BOUND_SETTINGS
@given(data=st.data(), n=st.integers(1, 12), lead=LEADS)
def test_tied_linear_float32_within_bounds(data, n, lead):
    w = data.draw(f32_arrays((n, n), -10, 3), label="w")
    b = data.draw(f32_arrays((n,), -10, 3), label="b")
    x = data.draw(f32_arrays(lead + (n,), -10, 3), label="x")
    gy = data.draw(f32_arrays(lead + (n,), -10, 3), label="gy")
    lin = make_linear(w, b)
    out = R.run_forward_backward(R.Sequential(lin, lin), x, gy, prec=PREC32)
    w32, b32 = w.astype(F32), b.astype(F32)
    x2, gy2 = rows(x).astype(F32), rows(gy).astype(F32)
    y1 = x2 @ w32.T + b32
    y = y1 @ w32.T + b32
    g1 = gy2 @ w32
    gx = g1 @ w32
    gw = (gy2.T @ y1) + (g1.T @ x2)  # the second use's gradient first, as autograd would
    gb = gy2.sum(0) + g1.sum(0)
    fx, fw, fb, fgy = E(rows(x)), E(w), E(b), E(rows(gy))
    e_y1 = fx @ fw.T + fb
    e_g1 = fgy @ fw
    assert_within(y, e_y1 @ fw.T + fb, rows(out["ey"]) if x.ndim > 1 else out["ey"][None], "y")
    assert_within(gx, e_g1 @ fw, rows(out["egx"]) if x.ndim > 1 else out["egx"][None], "gx")
    for name, got, exact in [("weight", gw, fgy.T @ e_y1 + e_g1.T @ fx), ("bias", gb, fgy.sum(0) + e_g1.sum(0))]:
        np.testing.assert_array_equal(out["grad_errors"][f"0.{name}"], out["grad_errors"][f"1.{name}"])
        assert_within(got, exact, out["grad_errors"][f"0.{name}"], name)


# ---------------------------------------------------------------------------------------------
# 6. subnormals and underflow
# ---------------------------------------------------------------------------------------------
def test_numpy_float32_has_gradual_underflow():
    assert F32(TINY32) * F32(0.5) == F32(TINY32 / 2) != 0  # the computations below do underflow gradually
    assert F32(1e-45) > 0


SUBNORMAL_CASES = [
    # x near tiny and below it, weights that push products further down
    (np.array([[1.2e-38, -3e-39, 1.4e-45, 5e-40, 0.0, TINY32]]), np.array([[0.5, 1e-3, 3.0, -0.75, 2.0, -1.0]]),
     np.array([1e-39])),
    # products that underflow to subnormals and cancel
    (np.array([[3e-20, -3e-20, 1e-19, TINY32]]), np.array([[1e-19, 1e-19, -2e-20, 0.5], [1e-30, 1e-30, 1e-30, 1.0]]),
     np.array([0.0, -TINY32])),
    # subnormal inputs against large weights: products back in the normal range
    (np.array([[1e-40, -7e-42, 1.4e-45]]), np.array([[1e30, 3e29, -1e30]]), np.array([-5e-11])),
    # everything at the edge: sums of subnormals that become normal
    (np.full((2, 8), 1.1e-38), np.full((3, 8), 0.9), np.array([1e-45, -1e-45, 0.0])),
]


@pytest.mark.parametrize("x,w,b", [tuple(f32(a) for a in c) for c in SUBNORMAL_CASES])
def test_subnormal_cases_within_bounds(x, w, b):
    gy = f32(np.linspace(-1e-39, 2e-38, x.shape[0] * w.shape[0]).reshape(x.shape[0], w.shape[0]))
    out = R.run_forward_backward(make_linear(w, b), x, gy, prec=PREC32)
    with np.errstate(all="ignore"):
        prods = x.astype(F32)[:, None, :] * w.astype(F32)[None, :, :]
    assert np.any((prods != 0) & (np.abs(prods) < TINY32)) or np.any((x != 0) & (np.abs(x) < TINY32))
    for name, got in matmul32_orders(x, w.T, b).items():
        assert_within(got, exact_affine(x, w, b), out["ey"], f"y, {name}")
    for name, got in matmul32_orders(gy, w).items():
        assert_within(got, E(gy) @ E(w), out["egx"], f"gx, {name}")
    for name, got in matmul32_orders(gy.T, x).items():
        assert_within(got, E(gy).T @ E(x), out["grad_errors"]["weight"], f"gweight, {name}")
    assert_within(gy.astype(F32).sum(0), E(gy).sum(0), out["grad_errors"]["bias"], "gbias")


@BOUND_SETTINGS
@given(case=linear_cases(lo=-46, hi=-36))
def test_linear_near_underflow_within_bounds(case):
    x, w, b, gy, perm = case
    w = f32(w * 1e38)  # weights of 1e-8 .. 1e2: products from normal down to 0
    out = R.run_forward_backward(make_linear(w, b), x, gy, prec=PREC32)
    for name, got in matmul32_orders(rows(x), w.T, b, perm).items():
        assert_within(got, exact_affine(rows(x), w, b), rows(out["ey"]) if x.ndim > 1 else out["ey"][None], name)
    gy2 = rows(gy)
    for name, got in matmul32_orders(gy2.T, rows(x)).items():
        assert_within(got, E(gy2).T @ E(rows(x)), out["grad_errors"]["weight"], f"gweight, {name}")


def test_denormals_are_zero_within_bounds():
    """Denormals-are-zero (torch.set_flush_denormal(True), GPU ftz) reads a subnormal operand as 0."""
    x, w = f32(np.array([[1e-40, 0.0]])), f32(np.array([[1e30, 1.0]]))
    out = R.run_forward_backward(make_linear(w), x, prec=PREC32)
    daz = np.where(np.abs(x) < TINY32, 0.0, x).astype(F32)  # what the hardware reads
    assert_within(daz @ w.astype(F32).T, exact_affine(x, w, None), out["ey"], "DAZ")


# ---------------------------------------------------------------------------------------------
# 5. sharpness: a coarser arithmetic exceeds the bounds on generic data
# ---------------------------------------------------------------------------------------------
def random_linear_case(rng, n, m, r, bias=True):
    x = f32(rng.normal(size=(r, n)))
    w = f32(rng.normal(size=(m, n)))
    b = f32(rng.normal(size=m)) if bias else None
    gy = f32(rng.normal(size=(r, m)))
    return x, w, b, gy


def linear16(x, w, b, gy):
    """The Linear block computed in float16 (inputs cast to float16, results cast back)."""
    x16, w16, gy16 = x.astype(np.float16), w.astype(np.float16), gy.astype(np.float16)
    y = x16 @ w16.T
    if b is not None:
        y = y + b.astype(np.float16)
    grads = {"weight": gy16.T @ x16}
    if b is not None:
        grads["bias"] = gy16.sum(0)
    return y.astype(np.float64), (gy16 @ w16).astype(np.float64), {k: v.astype(np.float64) for k, v in grads.items()}


def exceed_fraction(got, ref, bound):
    return float(np.mean(np.abs(got - ref) > bound))


def test_float16_linear_exceeds_float32_bounds_width_20():
    x, w, b, gy = random_linear_case(np.random.default_rng(20), 20, 4, 3)
    out = R.run_forward_backward(make_linear(w, b), x, gy, prec=PREC32)
    y16, gx16, grads16 = linear16(x, w, b, gy)
    # every element, against the float64 reference and against the exact value alike
    assert exceed_fraction(y16, out["y"], out["ey"]) == 1.0
    exact = exact_affine(x, w, b)
    assert excess(y16, exact, out["ey"]).all()
    assert np.max(np.abs(y16 - exact.hi_lo()[0]) / out["ey"]) > 10
    assert exceed_fraction(gx16, out["gx"], out["egx"]) == 1.0
    assert exceed_fraction(grads16["weight"], out["grads"]["weight"], out["grad_errors"]["weight"]) >= 0.9
    assert exceed_fraction(grads16["bias"], out["grads"]["bias"], out["grad_errors"]["bias"]) >= 0.75
    # while float32 stays within, in the same example
    y32 = (x.astype(F32) @ w.astype(F32).T + b.astype(F32)).astype(np.float64)
    assert_within(y32, exact_affine(x, w, b), out["ey"], "float32")


def test_float16_linear_exceeds_float32_bounds_on_most_draws():
    rng = np.random.default_rng(12345)
    counts = {"y": 0, "gx": 0, "weight": 0, "bias": 0}
    for _ in range(50):
        n, m, r = int(rng.integers(1, 65)), int(rng.integers(1, 5)), int(rng.integers(1, 4))
        x, w, b, gy = random_linear_case(rng, n, m, r)
        out = R.run_forward_backward(make_linear(w, b), x, gy, prec=PREC32)
        y16, gx16, grads16 = linear16(x, w, b, gy)
        counts["y"] += bool(np.any(np.abs(y16 - out["y"]) > out["ey"]))
        counts["gx"] += bool(np.any(np.abs(gx16 - out["gx"]) > out["egx"]))
        for p in ("weight", "bias"):
            counts[p] += bool(np.any(np.abs(grads16[p] - out["grads"][p]) > out["grad_errors"][p]))
    assert all(c >= 45 for c in counts.values()), counts


def test_float16_sequential_exceeds_float32_bounds_on_most_draws():
    rng = np.random.default_rng(777)
    exceeded = 0
    for _ in range(50):
        n, k, m = (int(v) for v in rng.integers(1, 33, size=3))
        r = int(rng.integers(1, 4))
        case = tuple(f32(rng.normal(size=s)) for s in [(r, n), (k, n), (k,), (m, k), (m,), (r, m)])
        out = mlp_reference(*case, PREC32)
        x, w1, b1, w2, b2, _ = (a.astype(np.float16) for a in case)
        y16 = (np.maximum(x @ w1.T + b1, 0) @ w2.T + b2).astype(np.float64)
        exceeded += bool(np.any(np.abs(y16 - out["y"]) > out["ey"]))
    assert exceeded >= 45


def test_float32_exceeds_float64_bounds_on_most_draws():
    rng = np.random.default_rng(64)
    exceeded = 0
    for _ in range(50):
        n, m, r = int(rng.integers(1, 65)), int(rng.integers(1, 5)), int(rng.integers(1, 4))
        x, w, b = (rng.normal(size=s) for s in [(r, n), (m, n), (m,)])  # generic float64 values
        out = R.run_forward_backward(make_linear(w, b), x, prec=PREC64)
        y32 = (x.astype(F32) @ w.astype(F32).T + b.astype(F32)).astype(np.float64)
        exceeded += bool(np.any(np.abs(y32 - out["y"]) > out["ey"]))
    assert exceeded >= 45


def test_bound_is_not_vacuous_for_float32():
    # the float32 bound stays within a small factor of n u sum|x_i w_i|: a valid bound that is also tight
    x, w, b, _ = random_linear_case(np.random.default_rng(5), 32, 3, 2)
    out = R.run_forward_backward(make_linear(w, b), x, prec=PREC32)
    magnitude = np.abs(x) @ np.abs(w).T + np.abs(b)
    assert np.all(out["ey"] <= 1.01 * 33 * PREC32.u * magnitude + 66 * TINY32)
    assert np.all(out["ey"] >= 33 * 2.0**-24 * magnitude)

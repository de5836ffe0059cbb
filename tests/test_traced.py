"""``reference.traced``: rounding-error bounds derived from a NumPy reference by running it on
``Bounded`` arrays, and its gradients by reverse-mode differentiation of the same operations.

The bounds must be sound and tight: on the chapter's blocks written as plain NumPy forwards they equal
the hand-derived bounds of ``reference/`` (``benchmarks/derived_bounds.py``); a float32 computation
in another order stays inside them; an operation without a rule is refused, naming it."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.derived_bounds import PRECISIONS, compare  # noqa: E402
from conformance.judging.tolerance import precision_for  # noqa: E402
from reference.declared import ANALYTIC, AUTOMATIC, Declared  # noqa: E402
from reference.traced import UnsupportedOperation, evaluate  # noqa: E402

F32 = PRECISIONS["float32"]


def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    return centred / np.sqrt((centred * centred).mean(axis=-1, keepdims=True) + eps) * weight + bias


def test_derived_bounds_equal_the_hand_derived_ones_on_the_chapters_blocks() -> None:
    table = compare(examples=8, seed=1)
    assert {k[0] for k in table} >= {"Linear", "CenteredLayer", "MyLinear", "MLP"}
    for key, (low, high) in table.items():
        assert low >= 1 - 1e-12, f"{key}: the derived bound is below the hand-derived one ({low})"
        assert high <= 1 + 1e-9, f"{key}: the derived bound is looser than the hand-derived one ({high})"


def test_a_float32_computation_in_another_order_stays_inside_the_bound() -> None:
    rng = np.random.default_rng(3)
    for _ in range(50):
        n = int(rng.integers(1, 64))
        x = (rng.standard_normal((4, n)) * 10.0 ** rng.integers(-2, 3) + rng.standard_normal()).astype(np.float32)
        w, b = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)
        ev = evaluate(layer_norm, {"x": x.astype(np.float64), "weight": w.astype(np.float64),
                                   "bias": b.astype(np.float64)}, prec=F32)
        # float32, reduced pairwise in reverse order, the reciprocal square root multiplied in
        xr = x[:, ::-1]
        mean = (np.add.reduce(xr, axis=-1, dtype=np.float32) / np.float32(n))[:, None]
        centred = x - mean
        var = (np.add.reduce((centred * centred)[:, ::-1], axis=-1, dtype=np.float32) / np.float32(n))[:, None]
        y32 = centred * (np.float32(1) / np.sqrt(var + np.float32(1e-5))) * w + b
        assert np.all(np.abs(y32.astype(np.float64) - ev.y) <= ev.ey)


def test_a_float16_computation_of_a_float32_block_leaves_the_bound() -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal((8, 64))
    w = rng.standard_normal((64, 64))
    ev = evaluate(lambda x, w: x @ w.T, {"x": x, "w": w}, prec=F32)
    half = (x.astype(np.float16) @ w.T.astype(np.float16)).astype(np.float64)
    assert np.mean(np.abs(half - ev.y) > ev.ey) > 0.5


def test_gradients_agree_with_central_differences() -> None:
    rng = np.random.default_rng(5)
    x, w, b, gy = (rng.standard_normal(s) for s in ((3, 6), (6,), (6,), (3, 6)))
    ev = evaluate(layer_norm, {"x": x, "weight": w, "bias": b}, gy=gy, wrt=("x", "weight", "bias"))
    for name, value in (("x", x), ("weight", w)):
        direction = rng.standard_normal(value.shape)
        h = 1e-6

        def f(t, name=name):
            inputs = {"x": x, "weight": w, "bias": b, name: t}
            return float(np.sum(layer_norm(**inputs) * gy))

        numeric = (f(value + h * direction) - f(value - h * direction)) / (2 * h)
        assert np.isclose(np.sum(ev.grads[name] * direction), numeric, rtol=1e-6, atol=1e-8), name


@pytest.mark.parametrize("shapes", [((4,), (4, 3)), ((2, 4), (4,)), ((4,), (4,)), ((4,), (5, 4, 3)),
                                    ((5, 2, 4), (4,))], ids=str)
def test_matmul_with_a_one_dimensional_operand_has_numpys_gradient(shapes) -> None:
    """``x @ W.T`` on an unbatched input (the suite draws them): the gradient of each operand, a 1-d
    one read as a row (left) or a column (right), against central differences."""
    rng = np.random.default_rng(9)
    a, b = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    gy = rng.standard_normal(np.shape(a @ b))
    ev = evaluate(lambda a, b: a @ b, {"a": a, "b": b}, gy=gy, wrt=("a", "b"))
    for name, value in (("a", a), ("b", b)):
        direction = rng.standard_normal(value.shape)

        def f(t, name=name):
            inputs = {"a": a, "b": b, name: t}
            return float(np.sum((inputs["a"] @ inputs["b"]) * gy))

        numeric = (f(value + 1e-6 * direction) - f(value - 1e-6 * direction)) / 2e-6
        assert ev.grads[name].shape == value.shape
        assert np.isclose(np.sum(ev.grads[name] * direction), numeric, rtol=1e-6, atol=1e-8), name


def test_an_analytic_backward_gives_the_same_gradients_and_says_so() -> None:
    def forward(x, weight, **_):
        return x * weight

    def backward(gy, x, weight, **_):
        return {"x": gy * weight, "weight": (gy * x).sum(axis=0)}

    rng = np.random.default_rng(6)
    x, w, gy = rng.standard_normal((4, 3)), rng.standard_normal(3), rng.standard_normal((4, 3))
    auto, hand = Declared(forward, {"weight": (3,)}), Declared(forward, {"weight": (3,)}, backward=backward)
    grads = []
    for ref in (auto, hand):
        ref.load_state_dict({"weight": w})
        y, ctx = ref.forward(x)
        grads.append((ref.backward(ctx, gy), ref.grad_dict()["weight"]))
    assert np.allclose(grads[0][0], grads[1][0]) and np.allclose(grads[0][1], grads[1][1])
    assert (auto.gradient_source, hand.gradient_source) == (AUTOMATIC, ANALYTIC)


def test_an_operation_without_a_rule_is_refused_by_name() -> None:
    with pytest.raises(UnsupportedOperation, match="numpy.sort"):
        evaluate(lambda x: np.sort(x), {"x": np.ones(3)})
    with pytest.raises(UnsupportedOperation, match="converted to a plain ndarray"):
        evaluate(lambda x: np.asarray(x) * 2, {"x": np.ones(3)})


def test_a_comparison_near_its_threshold_accepts_either_branch() -> None:
    """where(x > 0, x, 0) at x within its bound of 0: 0 and x are both correct."""
    x = np.array([1e-9, -1e-9, 1.0])
    ev = evaluate(lambda x: np.where(x > 1e-9 - 1e-9, x * 3.0, 0.0), {"x": x}, errors={"x": np.full(3, 1e-8)},
                  prec=F32)
    assert ev.ey[0] >= 3e-9 and ev.ey[1] >= 3e-9 and ev.ey[2] < 1e-6  # x[1]: 0 or 3 x[1] (-3e-9) both correct


def test_a_declared_tolerance_bounds_a_reference_without_rules_and_differentiates_it_in_extended_precision() -> None:
    def softsort(x, weight, **_):  # np.sort has no rule
        return np.sort(x, axis=-1) * weight

    rng = np.random.default_rng(7)
    x, w, gy = rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((3, 4))
    with pytest.raises(UnsupportedOperation, match="numpy.sort"):
        Declared(softsort, {"weight": (4,)}).forward(x)
    ref = Declared(softsort, {"weight": (4,)}, tolerance=1e-6)
    ref.load_state_dict({"weight": w})
    from reference import run_forward_backward

    out = run_forward_backward(ref, x, gy, F32)
    assert np.allclose(out["y"], np.sort(x, axis=-1) * w)
    assert np.all(out["ey"] == 1e-6 * (np.abs(out["y"]) + np.abs(out["y"]).max()))
    assert np.allclose(out["grads"]["weight"], (np.sort(x, axis=-1) * gy).sum(axis=0), rtol=1e-9)
    order = np.argsort(x, axis=-1)
    expected_gx = np.zeros_like(x)
    np.put_along_axis(expected_gx, order, gy * w, axis=-1)
    assert np.allclose(out["gx"], expected_gx, rtol=1e-9, atol=1e-12)
    assert "finite differences" in ref.gradient_source and "numpy.sort" in ref.bound_source


def test_a_forward_refusing_extended_precision_is_differentiated_in_float64() -> None:
    """scipy.special's ufuncs take no numpy.longdouble: the central differences fall back to float64
    (the gradient checks were all not checked, blaming the declaration, for a GELU written with
    scipy.special.erf and a declared tolerance)."""
    from scipy.special import erf

    def gelu(x, **_):
        return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))

    ref = Declared(gelu, {}, tolerance=1e-6)
    x = np.array([-2.0, -0.75, 0.3, 1.5])
    _, ctx = ref.forward(x)
    gx = ref.backward(ctx, np.ones(4))
    exact = 0.5 * (1.0 + erf(x / np.sqrt(2.0))) + x * np.exp(-x * x / 2) / np.sqrt(2 * np.pi)
    assert np.allclose(gx, exact, rtol=1e-8, atol=1e-10), (gx, exact)


SPECIAL_FUNCTIONS = {  # name: (the reference's call, torch's, derivative, a domain)
    "erf": (lambda x: scipy_special("erf")(x), torch.erf, lambda x: 2 / np.sqrt(np.pi) * np.exp(-x * x), (-6, 6)),
    "erfc": (lambda x: scipy_special("erfc")(x), torch.erfc, lambda x: -2 / np.sqrt(np.pi) * np.exp(-x * x), (-3, 9)),
    "expit": (lambda x: scipy_special("expit")(x), torch.sigmoid,
              lambda x: np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))) ** 2, (-30, 30)),
    "log1p": (lambda x: np.log1p(x), torch.log1p, lambda x: 1 / (1 + x), (-0.99, 30)),
    "expm1": (lambda x: np.expm1(x), torch.expm1, np.exp, (-20, 20)),
    "arctan": (lambda x: np.arctan(x), torch.atan, lambda x: 1 / (1 + x * x), (-50, 50)),
}


def scipy_special(name: str):
    import scipy.special

    return getattr(scipy.special, name)


@pytest.mark.parametrize("name", sorted(SPECIAL_FUNCTIONS))
def test_the_special_functions_bound_torchs_kernels_and_not_a_half_format(name: str) -> None:
    """erf, erfc, expit (scipy.special), log1p, expm1, arctan: torch's float32 kernels stay inside the
    derived bound, the same function rounded to bfloat16 leaves it, and the derived gradient is the
    function's derivative."""
    f, torch_f, df, (lo, hi) = SPECIAL_FUNCTIONS[name]
    x = np.concatenate([np.linspace(lo, hi, 4001), np.random.default_rng(0).uniform(lo, hi, 4000)])
    x = x.astype(np.float32).astype(np.float64)
    out = evaluate(f, {"x": x}, prec=precision_for(torch.float32), gy=np.ones_like(x), wrt=("x",))
    ours = torch_f(torch.from_numpy(x).float())
    assert np.all(np.abs(ours.double().numpy() - out.y) <= out.ey), name
    half = ours.bfloat16().double().numpy()
    assert np.any(np.abs(half - out.y) > out.ey), name
    assert np.allclose(out.grads["x"], df(x), rtol=1e-6, atol=1e-300), name


def test_torchs_gelu_stays_inside_the_bounds_derived_from_erf() -> None:
    """torch.nn.GELU's float32 forward and backward (its kernel's erf is accurate in absolute terms,
    about 8 ulps of 1) inside the bounds derived from ``x / 2 * (1 + erf(x / sqrt 2))``."""
    erf = scipy_special("erf")
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.standard_normal(6000) * s for s in (1e-3, 1.0, 3.0, 10.0)]).astype(np.float32)
    xt = torch.from_numpy(x).requires_grad_()
    gy = rng.standard_normal(x.shape).astype(np.float32)
    y = torch.nn.functional.gelu(xt)
    y.backward(torch.from_numpy(gy))
    out = evaluate(lambda x: 0.5 * x * (1.0 + erf(x / np.sqrt(2.0))), {"x": x.astype(np.float64)},
                   prec=precision_for(torch.float32), gy=gy.astype(np.float64), wrt=("x",))
    assert np.all(np.abs(y.detach().double().numpy() - out.y) <= out.ey)
    assert np.all(np.abs(xt.grad.double().numpy() - out.grads["x"]) <= out.grad_errors["x"])


def test_an_infinite_input_is_not_read_as_an_overflow() -> None:
    """An infinity the reference propagates from an infinite input is not an overflow: the example
    stays judged (a square product once lined its result up with its operand's entries, read the
    infinite row as coming from a finite entry, and discarded every special-value example); an
    infinity of finite operands is one (the peak is past every limit)."""
    x, w = np.array([[np.inf, 1.0], [2.0, 3.0]]), np.array([[1.0, 2.0], [3.0, 4.0]])
    assert evaluate(lambda x, w: x @ w.T, {"x": x, "w": w}, prec=F32).peak == 18.0
    assert evaluate(lambda x: np.exp(x), {"x": np.array([1000.0, 1.0])}, prec=F32).peak > 1e300

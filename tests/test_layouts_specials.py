"""Layouts of drawn arrays, the reference's IEEE semantics for NaN and infinities, and the comparison
of non-finite results (issue 15)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import reference as R
from conformance.drawing.arrays import LAYOUTS, ArraySpec
from conformance.drawing.examples import Example, overwrite_parameters
from conformance.judging.tolerance import compare
from reference.bounds import Precision, ieee_matmul

INF, NAN = float("inf"), float("nan")
PREC32 = Precision(u=2.0**-24 + 2.0**-53, tiny=float(np.finfo(np.float32).tiny))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", [(), (0,), (5,), (3, 4), (2, 0), (2, 3, 4), (1, 3)])
def test_layout_tensor_holds_the_spec_values(layout: str, shape: tuple[int, ...]) -> None:
    spec = ArraySpec(shape, 7, 2.0, ((1, NAN), (2, -INF)), layout)
    t = spec.tensor("float32")
    assert tuple(t.shape) == shape and t.dtype == torch.float32
    assert np.array_equal(t.numpy(), spec.make("float32"), equal_nan=True)
    again = eval(repr(spec), {"ArraySpec": ArraySpec})  # the printed example rebuilds the same tensor
    u = again.tensor("float32")
    assert u.stride() == t.stride() and u.storage_offset() == t.storage_offset()
    assert np.array_equal(u.numpy(), t.numpy(), equal_nan=True)


def test_layouts_are_what_they_say() -> None:
    def make(layout: str) -> torch.Tensor:
        return ArraySpec((3, 4), 1, layout=layout).tensor()

    assert make("contiguous").is_contiguous()
    assert make("transposed").stride() == (1, 3)
    assert make("permuted").stride() == (1, 3)
    assert make("sliced").stride() == (16, 2)
    assert make("offset").storage_offset() == 3 and make("offset").is_contiguous()
    assert make("expanded").stride()[0] == 0
    rows = ArraySpec((3, 4), 1, layout="expanded").make()
    assert (rows == rows[0]).all()  # an expanded array's rows repeat


def test_snippet_rebuilds_the_strided_input() -> None:
    spec = ArraySpec((2, 3), 5, 1.0, ((0, INF),), "sliced")
    example = Example(code="nn.ReLU()", dtype="float64", seed=0, x=spec)
    namespace: dict = {}
    exec(example.snippet("torch"), namespace)  # noqa: S102
    x = namespace["x"]
    assert x.stride() == spec.tensor().stride() and not x.is_contiguous()
    assert np.array_equal(x.numpy(), spec.make(), equal_nan=True)


def test_overwritten_parameters_take_the_layout() -> None:
    block = torch.nn.Linear(3, 4).double()
    overwrite_parameters(block, ArraySpec((), 3, layout="transposed"), "float64")
    assert block.weight.stride() == (1, 4) and isinstance(block.weight, torch.nn.Parameter)
    block(torch.ones(2, 3, dtype=torch.float64)).sum().backward()
    assert block.weight.grad is not None


def brute_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Python floats, left to right: IEEE products and sums (the class of a sum of terms does not
    depend on their order)."""
    out = np.empty((a.shape[0], b.shape[1]))
    for i, j in itertools.product(range(a.shape[0]), range(b.shape[1])):
        total = 0.0
        for k in range(a.shape[1]):
            total += float(a[i, k]) * float(b[k, j])
        out[i, j] = total
    return out


@pytest.mark.parametrize("seed", range(30))
def test_ieee_matmul_follows_ieee(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((4, 5)), rng.standard_normal((5, 3))
    for m in (a, b):
        m.flat[rng.integers(0, m.size, 3)] = rng.choice([INF, -INF, NAN, 0.0], 3)
    got, want = ieee_matmul(a, b), brute_matmul(a, b)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    assert np.array_equal(np.where(np.isinf(got), got, 0), np.where(np.isinf(want), want, 0))
    finite = np.isfinite(want)
    assert np.allclose(got[finite], want[finite])
    # torch agrees (float64, any kernel)
    t = (torch.from_numpy(a) @ torch.from_numpy(b)).numpy()
    assert np.array_equal(np.isnan(t), np.isnan(want)) and np.array_equal(t[np.isinf(t)], want[np.isinf(t)])


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("make", [lambda: R.Linear(4, 3), lambda: R.MLP(4, 6, 2), R.CenteredLayer, R.ReLU,
                                  lambda: R.MyLinear(4, 3), lambda: R.Sequential(R.Linear(4, 4), R.ReLU(),
                                                                                 R.Linear(4, 2))])
def test_bounds_are_never_nan_and_zero_at_determined_nonfinite(make, seed: int) -> None:
    rng = np.random.default_rng(seed)
    block = make()
    block.load_state_dict({k: rng.standard_normal(v.shape) for k, v in block.state_dict().items()})
    x = rng.standard_normal((3, 4))
    x.flat[rng.integers(0, x.size, 2)] = rng.choice([INF, -INF, NAN], 2)
    y = block(x)
    gy = rng.standard_normal(y.shape)
    gy.flat[rng.integers(0, gy.size, 1)] = rng.choice([INF, -INF, NAN], 1) if seed % 2 else 1.0
    out = R.run_forward_backward(block, x, gy, prec=PREC32)
    for bound in [out["ey"], out["egx"], *out["grad_errors"].values()]:
        assert not np.isnan(bound).any()
    # torch float64 on the same values lands within the bounds (NaN/inf positions exact)
    if isinstance(block, R.Linear):
        tx = torch.from_numpy(x).requires_grad_(True)
        w, bias = (torch.from_numpy(block.params[k]).requires_grad_(True) for k in ("weight", "bias"))
        ty = torch.nn.functional.linear(tx, w, bias)
        assert compare(ty.detach().numpy(), out["y"], out["ey"]) is None
        ty.backward(torch.from_numpy(gy))
        assert compare(tx.grad.numpy(), out["gx"], out["egx"]) is None
        assert compare(w.grad.numpy(), out["grads"]["weight"], out["grad_errors"]["weight"]) is None


def test_an_exact_relu_zero_times_inf_is_determined() -> None:
    """A ReLU output that is exactly 0 (its input far below 0) times an infinite upstream gradient is
    NaN in any correct computation: its bound is 0 (NaN compared exactly), not the inf that would
    accept an implementation turning it into 0."""
    block = R.Sequential(R.Linear(4, 6), R.ReLU(), R.Linear(6, 2))
    block.load_state_dict({"0.weight": -np.ones((6, 4)), "0.bias": np.zeros(6),
                           "2.weight": np.ones((2, 6)), "2.bias": np.zeros(2)})
    out = R.run_forward_backward(block, np.ones((1, 4)), np.array([[INF, 1.0]]), prec=PREC32)
    grad, bound = out["grads"]["2.weight"], out["grad_errors"]["2.weight"]
    assert np.isnan(grad[0]).all() and (bound[0] == 0).all(), (grad, bound)
    assert compare(np.zeros_like(grad), grad, bound) is not None  # NaN swallowed into 0 is caught


def test_compare_nonfinite_positions_are_exact() -> None:
    expected = np.array([NAN, INF, -INF, 1.0, 2.0])
    bound = np.array([0.0, 0.0, 0.0, 0.1, INF])
    assert compare(np.array([NAN, INF, -INF, 1.05, NAN]), expected, bound) is None  # inf bound: anything
    assert compare(np.array([0.0, INF, -INF, 1.0, 0.0]), expected, bound) is not None  # NaN swallowed
    assert compare(np.array([NAN, -INF, -INF, 1.0, 0.0]), expected, bound) is not None  # wrong sign
    assert compare(np.array([NAN, INF, -INF, NAN, 0.0]), expected, bound) is not None  # NaN invented


def test_fixedhiddenmlp_nonfinite_norm_is_its_own_error() -> None:
    block = R.FixedHiddenMLP(3)
    block.load_state_dict({"rand_weight": np.full((3, 3), 0.5), "linear.weight": np.ones((3, 3)),
                           "linear.bias": np.ones(3)})
    with pytest.raises(R.NonFiniteNorm):
        block(np.array([[INF, 1.0, 1.0]]))

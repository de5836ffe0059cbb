"""Verification of the NumPy reference itself (``reference/``): the spec every target is judged by.

* closed forms of Linear, ReLU and Sequential on hand-computed arrays;
* analytic backward against central finite differences in float64 (vector-Jacobian products);
* tying semantics (a block used twice) and naming / ordering / loading of state dicts.

The rounding-error rules of ``reference/bounds.py`` are verified in ``test_bounds.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import reference as R
from reference.module import Module

ROOT = Path(__file__).resolve().parents[1]

FD_SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
def make_linear(w, b=None) -> R.Linear:
    w = np.asarray(w, dtype=np.float64)
    lin = R.Linear(w.shape[1], w.shape[0], bias=b is not None)
    state = {"weight": w}
    if b is not None:
        state["bias"] = np.asarray(b, dtype=np.float64)
    lin.load_state_dict(state)
    return lin


def fd_vjp(f, arr: np.ndarray, gy: np.ndarray, h: float) -> np.ndarray:
    """sum(gy * (f(arr + h e_i) - f(arr - h e_i)) / (2h)) for every index i; ``arr`` is perturbed in
    place (and restored), so it may be an input array or a parameter array a block holds."""
    g = np.zeros_like(arr)
    for idx in np.ndindex(arr.shape):
        old = arr[idx]
        arr[idx] = old + h
        fp = f()
        arr[idx] = old - h
        fm = f()
        arr[idx] = old
        g[idx] = np.sum(gy * (fp - fm)) / (2 * h)
    return g


def assert_close(analytic, numeric, rtol=1e-6):
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    assert analytic.shape == numeric.shape
    scale = max(1.0, float(np.max(np.abs(numeric), initial=0.0)))
    np.testing.assert_allclose(analytic, numeric, rtol=rtol, atol=rtol * scale)


def check_all_gradients(block: Module, x: np.ndarray, gy: np.ndarray, h: float) -> None:
    """Input gradient and every parameter gradient (under every state_dict name) vs finite differences."""
    out = R.run_forward_backward(block, x, gy)
    x = x.copy()

    def f():
        return block(x)

    assert_close(out["gx"], fd_vjp(f, x, gy, h))
    params = block.state_dict()  # the arrays the blocks hold: perturbing one perturbs every use
    assert set(out["grads"]) == set(params)
    for name, arr in params.items():
        assert_close(out["grads"][name], fd_vjp(f, arr, gy, h))


sizes = st.integers(1, 6)
lead_dims = st.lists(st.integers(1, 3), min_size=0, max_size=2).map(tuple)
unit_floats = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)


def arrays(shape, elements=unit_floats):
    return hnp.arrays(np.float64, shape, elements=elements)


# ---------------------------------------------------------------------------------------------
# the package
# ---------------------------------------------------------------------------------------------
def test_reference_imports_without_torch():
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "import reference, reference.bounds, reference.layers, reference.containers, reference.module\n"
        "assert 'torch' not in [m for m in sys.modules if sys.modules[m] is not None]\n"
        "print(sorted(reference.__all__))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "Linear" in proc.stdout


# ---------------------------------------------------------------------------------------------
# 1. closed forms
# ---------------------------------------------------------------------------------------------
W = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
B = [0.5, -1.0, 2.0]
X = [[1.0, -1.0], [2.0, 0.5]]
GY = [[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]]


def test_linear_closed_form_with_bias():
    out = R.run_forward_backward(make_linear(W, B), X, GY)
    np.testing.assert_array_equal(out["y"], [[-0.5, -2.0, 1.0], [3.5, 7.0, 15.0]])
    np.testing.assert_array_equal(out["gx"], [[-4.0, -4.0], [5.0, 8.0]])
    np.testing.assert_array_equal(out["grads"]["weight"], [[5.0, 0.0], [2.0, 0.5], [-1.0, 1.0]])
    np.testing.assert_array_equal(out["grads"]["bias"], [3.0, 1.0, -1.0])
    assert list(out["grads"]) == ["weight", "bias"]
    assert out["y"].dtype == np.float64


def test_linear_closed_form_without_bias():
    lin = make_linear(W)
    assert list(lin.state_dict()) == ["weight"]
    out = R.run_forward_backward(lin, X, GY)
    np.testing.assert_array_equal(out["y"], [[-1.0, -1.0, -1.0], [3.0, 8.0, 13.0]])
    np.testing.assert_array_equal(out["gx"], [[-4.0, -4.0], [5.0, 8.0]])
    np.testing.assert_array_equal(out["grads"]["weight"], [[5.0, 0.0], [2.0, 0.5], [-1.0, 1.0]])
    assert list(out["grads"]) == ["weight"]


def test_linear_closed_form_1d_input():
    out = R.run_forward_backward(make_linear(W, B), [1.0, -1.0], [1.0, 0.0, -1.0])
    assert out["y"].shape == (3,) and out["gx"].shape == (2,)
    np.testing.assert_array_equal(out["y"], [-0.5, -2.0, 1.0])
    np.testing.assert_array_equal(out["gx"], [-4.0, -4.0])
    np.testing.assert_array_equal(out["grads"]["weight"], [[1.0, -1.0], [0.0, 0.0], [-1.0, 1.0]])
    np.testing.assert_array_equal(out["grads"]["bias"], [1.0, 0.0, -1.0])


def test_linear_several_leading_dims_is_rowwise():
    rng = np.random.default_rng(0)
    x = rng.integers(-4, 5, size=(2, 3, 2)).astype(np.float64)
    gy = rng.integers(-4, 5, size=(2, 3, 3)).astype(np.float64)
    out = R.run_forward_backward(make_linear(W, B), x, gy)
    assert out["y"].shape == (2, 3, 3) and out["gx"].shape == (2, 3, 2)
    w, b = np.array(W), np.array(B)
    gw, gb = np.zeros_like(w), np.zeros_like(b)
    for i in range(2):
        for j in range(3):
            np.testing.assert_array_equal(out["y"][i, j], w @ x[i, j] + b)
            np.testing.assert_array_equal(out["gx"][i, j], gy[i, j] @ w)
            gw += np.outer(gy[i, j], x[i, j])
            gb += gy[i, j]
    np.testing.assert_array_equal(out["grads"]["weight"], gw)  # small integers: exact in any order
    np.testing.assert_array_equal(out["grads"]["bias"], gb)


@pytest.mark.parametrize("lead", [(0,), (0, 3), (2, 0)])
def test_linear_zero_size_batch(lead):
    x = np.zeros(lead + (2,))
    gy = np.zeros(lead + (3,))
    prec = R.Precision(u=2.0**-24 + 2.0**-53, tiny=float(np.finfo(np.float32).tiny))
    out = R.run_forward_backward(make_linear(W, B), x, gy, prec=prec)
    assert out["y"].shape == lead + (3,)
    assert out["gx"].shape == lead + (2,)
    assert out["ey"].shape == lead + (3,) and out["egx"].shape == lead + (2,)
    np.testing.assert_array_equal(out["grads"]["weight"], np.zeros((3, 2)))
    np.testing.assert_array_equal(out["grads"]["bias"], np.zeros(3))
    assert out["grad_errors"]["weight"].shape == (3, 2)
    assert out["grad_errors"]["bias"].shape == (3,)
    # nothing was summed: the parameter gradients are exactly 0, so their bounds must be 0 too
    np.testing.assert_array_equal(out["grad_errors"]["weight"], 0.0)
    np.testing.assert_array_equal(out["grad_errors"]["bias"], 0.0)


@pytest.mark.parametrize("x", [np.zeros((2, 3)), np.zeros(3), np.float64(1.0)])
def test_linear_rejects_wrong_input_shape(x):
    with pytest.raises(ValueError):
        make_linear(W, B).forward(np.asarray(x))


def test_linear_parameters_start_at_zero_and_have_torch_shapes():
    lin = R.Linear(4, 3)
    assert [(k, v.shape) for k, v in lin.named_parameters()] == [("weight", (3, 4)), ("bias", (3,))]
    assert all(v.dtype == np.float64 for v in lin.state_dict().values())


def test_relu_closed_form_including_signed_zeros():
    x = np.array([-3.0, -1e-300, -0.0, 0.0, 5e-324, 1e-300, 2.5])
    gy = np.array([7.0, 7.0, 7.0, 7.0, 7.0, 7.0, -7.0])
    out = R.run_forward_backward(R.ReLU(), x, gy)
    np.testing.assert_array_equal(out["y"], [0.0, 0.0, 0.0, 0.0, 5e-324, 1e-300, 2.5])
    np.testing.assert_array_equal(out["gx"], [0.0, 0.0, 0.0, 0.0, 7.0, 7.0, -7.0])
    # the gradient at x == 0 and at x == -0.0 is exactly 0 (not NaN, not gy, not 0.5 gy)
    assert out["gx"][2] == 0.0 and out["gx"][3] == 0.0
    assert out["grads"] == {}


def test_relu_any_shape():
    x = np.arange(-12.0, 12.0).reshape(2, 3, 4)
    out = R.run_forward_backward(R.ReLU(), x, np.ones_like(x))
    np.testing.assert_array_equal(out["y"], np.maximum(x, 0.0))
    np.testing.assert_array_equal(out["gx"], (x > 0).astype(np.float64))


def test_empty_sequential_is_identity():
    seq = R.Sequential()
    assert len(seq) == 0 and seq.state_dict() == {} and seq.named_parameters() == []
    x = np.array([[1.0, -2.0], [0.0, 3.5]])
    gy = np.array([[4.0, 5.0], [-6.0, 0.25]])
    prec = R.Precision(u=2.0**-24, tiny=1e-38)
    out = R.run_forward_backward(seq, x, gy, prec=prec)
    np.testing.assert_array_equal(out["y"], x)
    np.testing.assert_array_equal(out["gx"], gy)
    np.testing.assert_array_equal(out["ey"], 0.0)
    np.testing.assert_array_equal(out["egx"], 0.0)
    assert out["grads"] == {} and out["grad_errors"] == {}


class Affine(Module):
    """x -> a x + c with a log of calls: non-commuting scalar blocks for the order tests."""

    def __init__(self, a: float, c: float, log: list) -> None:
        super().__init__()
        self.a, self.c, self.log = a, c, log

    def forward(self, x):
        self.log.append(("forward", self.c))
        return self.a * x + self.c, None

    def backward(self, ctx, gy):
        self.log.append(("backward", self.c))
        return self.a * gy


def test_sequential_runs_blocks_in_order():
    log: list = []
    seq = R.Sequential(Affine(2.0, 1.0, log), Affine(3.0, 2.0, log), Affine(-1.0, 3.0, log))
    out = R.run_forward_backward(seq, np.array([1.0, 0.0]), np.array([1.0, 2.0]))
    # x -> -(3 (2x + 1) + 2) + 3 = -6x - 2
    np.testing.assert_array_equal(out["y"], [-8.0, -2.0])
    np.testing.assert_array_equal(out["gx"], [-6.0, -12.0])
    assert log == [("forward", 1.0), ("forward", 2.0), ("forward", 3.0),
                   ("backward", 3.0), ("backward", 2.0), ("backward", 1.0)]


def test_sequential_matches_manual_composition():
    rng = np.random.default_rng(1)
    l1, l2, l3 = (make_linear(rng.normal(size=(o, i)), rng.normal(size=o)) for i, o in [(4, 5), (5, 3), (3, 2)])
    relu = R.ReLU()
    seq = R.Sequential(l1, relu, l2, R.ReLU(), l3)
    x = rng.normal(size=(6, 4))
    gy = rng.normal(size=(6, 2))
    out = R.run_forward_backward(seq, x, gy)

    z1, c1 = l1.forward(x)
    h1, cr1 = relu.forward(z1)
    z2, c2 = l2.forward(h1)
    h2, cr2 = relu.forward(z2)
    y, c3 = l3.forward(h2)
    np.testing.assert_array_equal(out["y"], y)
    for blk in (l1, l2, l3):
        blk.zero_grad()
    g = l3.backward(c3, gy)
    g = l2.backward(c2, relu.backward(cr2, g))
    g = l1.backward(c1, relu.backward(cr1, g))
    np.testing.assert_array_equal(out["gx"], g)
    for i, blk in [("0", l1), ("2", l2), ("4", l3)]:
        np.testing.assert_array_equal(out["grads"][f"{i}.weight"], blk.grads["weight"])
        np.testing.assert_array_equal(out["grads"][f"{i}.bias"], blk.grads["bias"])
    # and order matters: the blocks do not commute
    swapped = R.Sequential(make_linear(np.eye(2) * 2), make_linear(np.eye(2), [1.0, 1.0]))
    np.testing.assert_array_equal(swapped(np.ones(2)), [3.0, 3.0])
    straight = R.Sequential(make_linear(np.eye(2), [1.0, 1.0]), make_linear(np.eye(2) * 2))
    np.testing.assert_array_equal(straight(np.ones(2)), [4.0, 4.0])


def test_sequential_add_module_appends_and_indexing():
    seq = R.Sequential(make_linear(W, B))
    relu = R.ReLU()
    seq.add_module("act", relu)
    assert len(seq) == 2 and seq[1] is relu and seq[-1] is relu
    assert list(seq.children) == ["0", "act"]
    np.testing.assert_array_equal(seq(np.array(X)), [[0.0, 0.0, 1.0], [3.5, 7.0, 15.0]])


def test_backward_accumulates_across_calls_and_zero_grad_clears():
    lin = make_linear(W, B)
    y, ctx = lin.forward(np.array(X))
    lin.backward(ctx, np.array(GY))
    lin.backward(ctx, np.array(GY))
    np.testing.assert_array_equal(lin.grads["bias"], [6.0, 2.0, -2.0])
    # run_forward_backward starts from zero every time
    for _ in range(2):
        out = R.run_forward_backward(lin, X, GY)
        np.testing.assert_array_equal(out["grads"]["bias"], [3.0, 1.0, -1.0])


# ---------------------------------------------------------------------------------------------
# 2. analytic backward vs central finite differences (float64)
# ---------------------------------------------------------------------------------------------
@FD_SETTINGS
@given(data=st.data(), n=sizes, m=sizes, lead=lead_dims, bias=st.booleans())
def test_linear_gradients_match_finite_differences(data, n, m, lead, bias):
    w = data.draw(arrays((m, n)), label="w")
    b = data.draw(arrays((m,)), label="b") if bias else None
    x = data.draw(arrays(lead + (n,)), label="x")
    gy = data.draw(arrays(lead + (m,)), label="gy")
    check_all_gradients(make_linear(w, b), x, gy, h=1e-3)


relu_inputs = st.one_of(st.floats(-2.0, -1e-3), st.floats(1e-3, 2.0))


@FD_SETTINGS
@given(data=st.data(), shape=st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple))
def test_relu_gradient_matches_finite_differences(data, shape):
    x = data.draw(arrays(shape, relu_inputs), label="x")  # at least 1e-3 from the kink
    gy = data.draw(arrays(shape), label="gy")
    check_all_gradients(R.ReLU(), x, gy, h=1e-4)


def random_mlp(rng, n, k, m, scale=1.0):
    l1 = make_linear(rng.uniform(-scale, scale, (k, n)), rng.uniform(-scale, scale, k))
    l2 = make_linear(rng.uniform(-scale, scale, (m, k)), rng.uniform(-scale, scale, m))
    return l1, l2


@FD_SETTINGS
@given(n=sizes, k=sizes, m=sizes, lead=lead_dims, seed=st.integers(0, 2**32 - 1))
def test_sequential_gradients_match_finite_differences(n, k, m, lead, seed):
    rng = np.random.default_rng(seed)
    l1, l2 = random_mlp(rng, n, k, m, scale=2.0)
    x = rng.uniform(-2.0, 2.0, lead + (n,))
    gy = rng.uniform(-2.0, 2.0, lead + (m,))
    z = l1(x)
    # h = 1e-5 moves a pre-activation by at most 2e-5 (|x|, |W| <= 2; a bias by h): stay away from 0
    assume(np.all(np.abs(z) >= 1e-3))
    check_all_gradients(R.Sequential(l1, R.ReLU(), l2), x, gy, h=1e-5)


# ---------------------------------------------------------------------------------------------
# 3. tying: one reference block used twice
# ---------------------------------------------------------------------------------------------
def tied_model(rng, n=3):
    lin = make_linear(rng.uniform(-1, 1, (n, n)), rng.uniform(-1, 1, n))
    return lin, R.Sequential(lin, R.ReLU(), lin)


def test_tied_naming():
    lin, seq = tied_model(np.random.default_rng(2))
    assert [name for name, _ in seq.named_parameters()] == ["0.weight", "0.bias"]  # first name wins
    assert seq.named_parameters()[0][1] is lin.params["weight"]
    state = seq.state_dict()
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert state["0.weight"] is state["2.weight"] and state["0.bias"] is state["2.bias"]
    assert seq.tied_names() == [["0.weight", "2.weight"], ["0.bias", "2.bias"]]
    assert R.Sequential(R.Linear(2, 2), R.Linear(2, 2)).tied_names() == []
    assert len(seq.blocks()) == 3  # self, lin, relu: each once


def test_tied_load_state_dict_sets_the_shared_parameter():
    lin, seq = tied_model(np.random.default_rng(3))
    seq.load_state_dict({"2.weight": np.eye(3)})
    np.testing.assert_array_equal(lin.params["weight"], np.eye(3))
    np.testing.assert_array_equal(seq.state_dict()["0.weight"], np.eye(3))


@FD_SETTINGS
@given(n=sizes, lead=lead_dims, seed=st.integers(0, 2**32 - 1))
def test_tied_gradient_is_sum_of_both_uses(n, lead, seed):
    rng = np.random.default_rng(seed)
    lin, seq = tied_model(rng, n)
    x = rng.uniform(-1.0, 1.0, lead + (n,))
    gy = rng.uniform(-1.0, 1.0, lead + (n,))
    assume(np.all(np.abs(lin(x)) >= 1e-3))
    out = R.run_forward_backward(seq, x, gy)

    # the same under both names, and the sum of what two untied copies receive
    untied = R.Sequential(make_linear(lin.params["weight"], lin.params["bias"]), R.ReLU(),
                          make_linear(lin.params["weight"], lin.params["bias"]))
    ref = R.run_forward_backward(untied, x, gy)
    np.testing.assert_array_equal(ref["y"], out["y"])
    np.testing.assert_array_equal(ref["gx"], out["gx"])
    for p in ("weight", "bias"):
        np.testing.assert_array_equal(out["grads"][f"0.{p}"], out["grads"][f"2.{p}"])
        np.testing.assert_allclose(out["grads"][f"0.{p}"], ref["grads"][f"0.{p}"] + ref["grads"][f"2.{p}"],
                                   rtol=1e-12, atol=1e-12)

    # finite differences with the shared parameter perturbed in both places at once
    check_all_gradients(seq, x, gy, h=1e-5)


def test_tied_linear_applied_twice_in_a_row():
    lin = make_linear([[2.0, 0.0], [1.0, 1.0]], [1.0, -1.0])
    seq = R.Sequential(lin, lin)
    x, gy = np.array([1.0, 2.0]), np.array([1.0, 1.0])
    out = R.run_forward_backward(seq, x, gy)
    # y1 = W x + b = [3, 2]; y = W y1 + b = [7, 4]
    np.testing.assert_array_equal(out["y"], [7.0, 4.0])
    # gy1 = gy W = [3, 1]; gx = gy1 W = [7, 1]
    np.testing.assert_array_equal(out["gx"], [7.0, 1.0])
    # gW = outer(gy, y1) + outer(gy1, x) = [[3, 2], [3, 2]] + [[3, 6], [1, 2]]
    np.testing.assert_array_equal(out["grads"]["0.weight"], [[6.0, 8.0], [4.0, 4.0]])
    np.testing.assert_array_equal(out["grads"]["1.bias"], [4.0, 2.0])
    check_all_gradients(seq, x, gy, h=1e-3)


# ---------------------------------------------------------------------------------------------
# 4. naming, ordering and loading
# ---------------------------------------------------------------------------------------------
def nested_model():
    inner = R.Chain([("lin", R.Linear(2, 3)), ("act", R.ReLU())])
    inner.buffers["count"] = np.zeros(1)
    inner.params["scale"] = np.ones(3)
    outer = R.Chain([("first", R.Linear(2, 2, bias=False)), ("inner", inner), ("last", R.Linear(3, 1))])
    outer.params["p"] = np.ones(2)
    outer.buffers["running"] = np.zeros(2)
    return outer


def test_state_dict_order_params_then_buffers_depth_first():
    model = nested_model()
    assert list(model.state_dict()) == [
        "p", "running",
        "first.weight",
        "inner.scale", "inner.count", "inner.lin.weight", "inner.lin.bias",
        "last.weight", "last.bias",
    ]
    assert [name for name, _ in model.named_parameters()] == [
        "p", "first.weight", "inner.scale", "inner.lin.weight", "inner.lin.bias", "last.weight", "last.bias",
    ]
    seq = R.Sequential(R.Linear(2, 3), R.ReLU(), R.Sequential(R.Linear(3, 1, bias=False)))
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.0.weight"]
    assert [name for name, _ in seq.named_blocks()] == ["", "0", "1", "2", "2.0"]


def test_load_state_dict_round_trip_copies_as_float64():
    rng = np.random.default_rng(4)
    model = nested_model()
    state = {k: rng.normal(size=v.shape).astype(np.float32) for k, v in model.state_dict().items()}
    model.load_state_dict(state)
    for k, v in model.state_dict().items():
        assert v.dtype == np.float64
        np.testing.assert_array_equal(v, state[k].astype(np.float64))
    state["first.weight"][...] = 123.0  # a copy was taken
    assert not np.any(model.state_dict()["first.weight"] == 123.0)
    assert model.children["inner"].buffers["count"].dtype == np.float64


def test_load_state_dict_rejects_unknown_keys():
    model = nested_model()
    before = {k: v.copy() for k, v in model.state_dict().items()}
    with pytest.raises(KeyError):
        model.load_state_dict({"first.weight": np.ones((2, 2)), "first.bias": np.ones(2)})
    with pytest.raises(KeyError):
        model.load_state_dict({"inner.lin.weights": np.ones((3, 2))})
    with pytest.raises(KeyError):
        R.Sequential(R.Linear(2, 2)).load_state_dict({"1.weight": np.ones((2, 2))})
    for k, v in model.state_dict().items():  # rejected before anything was copied
        np.testing.assert_array_equal(v, before[k])


@pytest.mark.parametrize("key,shape", [("first.weight", (2, 3)), ("inner.lin.bias", (3, 1)),
                                       ("p", ()), ("running", (3,)), ("last.weight", (3,))])
def test_load_state_dict_rejects_wrong_shapes(key, shape):
    model = nested_model()
    with pytest.raises(ValueError):
        model.load_state_dict({key: np.ones(shape)})


def test_relu_propagates_nan_like_torch():
    assert np.isnan(R.ReLU()(np.array([np.nan]))).all()


def test_centered_layer_reports_its_upstream_gradients_sum_as_a_peak() -> None:
    """dx = dy - mean(dy): an implementation that sums then divides stores sum(dy), which in float16
    overflows long before dy's entries do (30 x 257 entries at 1000: about 9e4 > 65504). The sum is part
    of the run's peak, so such an example is discarded, not blamed (torch's own CenteredLayer failed)."""
    rng = np.random.default_rng(0)
    gy = rng.standard_normal((30, 257)) * 1000 + 20
    out = R.run_forward_backward(R.CenteredLayer(), rng.standard_normal((30, 257)), gy)
    assert out["peak"] >= abs(gy.sum()) > 65504


def test_linear_with_zero_features_is_differentiated_not_refused() -> None:
    """Linear(0, 3): rows of zero width (numpy cannot infer -1 in reshape(-1, 0), a ValueError that
    read as the example outside the spec's domain: the zero_features anchor's gradients went unjudged)."""
    block = R.Linear(0, 3)
    out = R.run_forward_backward(block, np.zeros((2, 0)), np.ones((2, 3)))
    assert out["gx"].shape == (2, 0) and np.array_equal(out["grads"]["bias"], np.full(3, 2.0))

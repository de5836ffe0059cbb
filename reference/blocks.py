"""The tutorial's blocks: MLP, NestMLP, FixedHiddenMLP, Chimera, CenteredLayer, MyLinear, and the
nested ``rgnet`` used to show parameter naming."""

from __future__ import annotations

import numpy as np

from .bounds import INF, Precision, affine_error, gamma, ieee_matmul, matmul_error, sum_error
from .containers import Chain, Sequential
from .layers import Linear, ReLU, _rows, mask_error
from .module import Module


def MLP(in_features: int = 20, hidden_features: int = 256, out_features: int = 10) -> Chain:
    """``out(relu(hidden(x)))``; parameters ``hidden.*`` then ``out.*``."""
    return Chain([("hidden", Linear(in_features, hidden_features)), ("relu", ReLU()),
                  ("out", Linear(hidden_features, out_features))])


def NestMLP(in_features: int = 20) -> Chain:
    """``linear(net(x))``, net = Sequential(Linear(in, 64), ReLU(), Linear(64, 32), ReLU()), linear = Linear(32, 16)."""
    net = Sequential(Linear(in_features, 64), ReLU(), Linear(64, 32), ReLU())
    return Chain([("net", net), ("linear", Linear(32, 16))])


def Chimera() -> Sequential:
    """``Sequential(NestMLP(), Linear(16, 20), FixedHiddenMLP())``; input (batch, 20), output a scalar."""
    return Sequential(NestMLP(), Linear(16, 20), FixedHiddenMLP())


def block1() -> Sequential:
    return Sequential(Linear(4, 8), ReLU(), Linear(8, 4), ReLU())


def rgnet(n_blocks: int = 4) -> Sequential:
    """``Sequential(block2, Linear(4, 1))`` where block2 holds ``block1()`` under "block0", "block1", ..."""
    block2 = Sequential()
    for i in range(n_blocks):
        block2.add_module(f"block{i}", block1())
    return Sequential(block2, Linear(4, 1))


class CenteredLayer(Module):
    """``y = x - mean(x)`` over all elements (not per row), any shape; dx = dy - mean(dy).

    IEEE semantics: one NaN, or infinities of both signs, make the mean and so every output NaN;
    with +inf alone the mean is +inf, finite entries give -inf and the +inf entries NaN (and
    symmetrically for -inf). The same holds for dx from dy.
    """

    def forward(self, x):
        with np.errstate(invalid="ignore", divide="ignore"):  # (the sum: how large an intermediate gets)
            return x - (x.mean() if x.size else np.nan), {"x": x, "sum": np.asarray(x.sum())}

    def backward(self, ctx, gy):
        with np.errstate(invalid="ignore", over="ignore"):
            ctx["gy_sum"] = np.asarray(gy.sum())  # (stored by an implementation that sums, then divides)
        return gy - (gy.mean() if gy.size else 0.0)

    @staticmethod
    def _centering_error(a, ea, prec: Precision):
        """x - mean(x): the mean is a sum of N terms and a division (in any order), then one subtraction."""
        n = a.size
        if n == 0:
            return np.zeros_like(a)
        if not (np.isfinite(a).all() and np.isfinite(ea).all()):
            # a non-finite entry makes every output non-finite, determined unless an error is infinite
            return np.full(a.shape, INF if np.isinf(ea).any() else 0.0)
        mean_error = (gamma(n + 1, prec) * np.sum(np.abs(a) + ea) + np.sum(ea)) / n + (n + 1) * prec.tiny
        # in a narrower storage format the sum and the mean may each be stored
        mean_error = prec.stored(a.mean(), prec.stored(a.sum() / n, mean_error))
        centered = a - a.mean()
        return prec.stored(centered, ea + mean_error + prec.u * (np.abs(centered) + ea + mean_error) + prec.tiny)

    def forward_error(self, ctx, ex, prec: Precision):
        return self._centering_error(ctx["x"], ex, prec)

    def backward_error(self, ctx, gy, egy, prec: Precision):
        return self._centering_error(gy, egy, prec)


class MyLinear(Module):
    """``y = relu(x @ weight + bias)``, ``weight`` (in_units, units), ``bias`` (units,).

    IEEE semantics: those of ``Linear`` then ``ReLU`` (NaN kept, -inf to 0, the gradient at a NaN
    pre-activation not judged)."""

    def __init__(self, in_units: int, units: int) -> None:
        super().__init__()
        self.params["weight"] = np.zeros((in_units, units))
        self.params["bias"] = np.zeros(units)

    def forward(self, x):
        w = self.params["weight"]
        if x.ndim < 1 or x.shape[-1] != w.shape[0]:
            raise ValueError(f"MyLinear expects (*, {w.shape[0]}), got {x.shape}")
        z = ieee_matmul(x, w) + self.params["bias"]
        return _relu(z), {"x": x, "z": z, "kinks": [z]}

    def backward(self, ctx, gy):
        gz = np.where(ctx["z"] > 0, gy, 0.0)
        self.accumulate("weight", ieee_matmul(_rows(ctx["x"]).T, _rows(gz)))
        self.accumulate("bias", _rows(gz).sum(axis=0))
        return ieee_matmul(gz, self.params["weight"].T)

    def forward_error(self, ctx, ex, prec: Precision):
        ctx["ex"] = ex
        ctx["ez"] = ez = affine_error(ctx["x"], ex, self.params["weight"].T, self.params["bias"], prec)
        with np.errstate(invalid="ignore"):  # as ReLU's: a pre-activation surely negative gives exactly 0
            return np.where(ctx["z"] < -ez, 0.0, ez)

    def backward_error(self, ctx, gy, egy, prec: Precision):
        z, ez, x, ex, w = ctx["z"], ctx["ez"], ctx["x"], ctx["ex"], self.params["weight"]
        gz = np.where(z > 0, gy, 0.0)
        egz = mask_error(z, ez, gy, egy)
        x2, ex2, gz2, egz2 = _rows(x), _rows(ex), _rows(gz), _rows(egz)
        self.accumulate_error("weight", ieee_matmul(x2.T, gz2), matmul_error(x2.T, ex2.T, gz2, egz2, prec), prec)
        self.accumulate_error("bias", gz2.sum(axis=0), sum_error(gz2, egz2, 0, prec), prec)
        return matmul_error(gz, egz, w.T, np.zeros_like(w.T), prec)


class FixedHiddenMLP(Module):
    """``h = linear(x)``; ``h = relu(h @ rand_weight + 1)``; ``h = linear(h)`` (the same layer again,
    so its gradient sums both uses); halve h while sum |h| > 1; return sum(h), a scalar.

    ``rand_weight`` (F, F) is a buffer: in the state dict, never a parameter, never given a gradient.
    Input (batch, F). A non-finite L1 norm raises ``NonFiniteNorm`` (a ValueError: the spec also
    allows RuntimeError or a non-finite result; it forbids looping forever and a finite result).
    IEEE semantics before the norm: those of ``Linear`` and ``ReLU`` (a -inf pre-activation gives 0,
    so a non-finite input may still give a finite norm, and then a finite result).
    """

    def __init__(self, features: int = 20) -> None:
        super().__init__()
        self.buffers["rand_weight"] = np.zeros((features, features))
        self.children["linear"] = Linear(features, features)

    @property
    def linear(self) -> Linear:
        return self.children["linear"]  # type: ignore[return-value]

    def forward(self, x):
        if x.ndim != 2:
            raise ValueError(f"FixedHiddenMLP expects (batch, F), got {x.shape}")
        r = self.buffers["rand_weight"]
        h1, c1 = self.linear.forward(x)
        a = ieee_matmul(h1, r) + 1
        h2 = _relu(a)
        h3, c3 = self.linear.forward(h2)
        norm = np.abs(h3).sum()
        if not np.isfinite(norm):
            raise NonFiniteNorm(f"the L1 norm of the hidden output is {norm}")
        halvings = 0
        while norm * 0.5**halvings > 1:
            halvings += 1
        y = np.sum(h3) * 0.5**halvings
        thresholds = np.array([norm * 0.5**j - 1 for j in range(max(halvings - 1, 0), halvings + 1)])
        return np.asarray(y), {"x": x, "c1": c1, "h1": h1, "a": a, "c3": c3, "h3": h3, "halvings": halvings,
                               "norm": np.asarray(norm), "kinks": [a, thresholds]}

    def backward(self, ctx, gy):
        gh3 = np.full_like(ctx["h3"], float(gy) * 0.5 ** ctx["halvings"])
        ctx["gh3"] = gh3
        gh2 = self.linear.backward(ctx["c3"], gh3)
        ga = np.where(ctx["a"] > 0, gh2, 0.0)
        ctx["gh2"], ctx["ga"] = gh2, ga
        gh1 = ieee_matmul(ga, self.buffers["rand_weight"].T)
        return self.linear.backward(ctx["c1"], gh1)

    # -- error bounds ------------------------------------------------------------------------------
    def _halvings_range(self, ctx, eh3, prec: Precision) -> range | None:
        """The halving counts a correct implementation may reach: its L1 norm may differ from the
        reference's by the norm's error bound, so a norm within that bound of 1 decides either way (None:
        the norm's bound is infinite, any count)."""
        h3 = ctx["h3"]
        norm = float(np.abs(h3).sum())
        e_norm = float(sum_error(np.abs(h3), eh3, None, prec))
        if not np.isfinite(e_norm):
            return None
        lo = 0
        while (norm - e_norm) * 0.5**lo > 1:  # surely still > 1: at least one more halving
            lo += 1
        hi = 0
        while (norm + e_norm) * 0.5**hi > 1:  # possibly still > 1
            hi += 1
        return range(lo, hi + 1)

    def forward_error(self, ctx, ex, prec: Precision):
        r = self.buffers["rand_weight"]
        eh1 = self.linear.forward_error(ctx["c1"], ex, prec)
        ea = affine_error(ctx["h1"], eh1, r.T, np.ones(r.shape[1]), prec)
        ctx["ea"] = ea
        eh3 = self.linear.forward_error(ctx["c3"], ea, prec)
        ctx["eh3"] = eh3
        total, e_total = float(np.sum(ctx["h3"])), float(sum_error(ctx["h3"], eh3, None, prec))
        counts = self._halvings_range(ctx, eh3, prec)
        ctx["halvings_range"] = counts
        if counts is None or not np.isfinite(e_total):  # an undetermined hidden value: any result
            return np.asarray(INF)
        y = total * 0.5 ** ctx["halvings"]
        # Halving is exact but where it underflows (each of the n entries may lose ``store_tiny`` per
        # halving in a narrower storage format); any count in range may be taken; the sum is rounded
        # once more at the end.
        n = ctx["h3"].size
        worst = max(abs(total * 0.5**k - y) + e_total * 0.5**k + n * k * prec.store_tiny for k in counts)
        return np.asarray(prec.stored(y, worst + prec.u * (abs(y) + worst) + prec.tiny))

    def backward_error(self, ctx, gy, egy, prec: Precision):
        counts, k = ctx["halvings_range"], ctx["halvings"]
        gy, egy = float(gy), float(egy)
        if counts is None or not np.isfinite(egy):
            counts, egy = range(k, k + 1), INF
        spread = (max(abs(0.5**j - 0.5**k) for j in counts) * abs(gy) + egy * 0.5 ** min(counts)
                  + max(counts) * prec.store_tiny)  # a halving of the gradient may underflow too
        egh3 = np.full_like(ctx["h3"], spread)
        egh2 = self.linear.backward_error(ctx["c3"], ctx["gh3"], egh3, prec)
        a, ea = ctx["a"], ctx["ea"]
        ega = mask_error(a, ea, ctx["gh2"], egh2)
        r = self.buffers["rand_weight"]
        egh1 = matmul_error(ctx["ga"], ega, r.T, np.zeros_like(r), prec)
        gh1 = ieee_matmul(ctx["ga"], r.T)
        return self.linear.backward_error(ctx["c1"], gh1, egh1, prec)


class NonFiniteNorm(ValueError):
    """FixedHiddenMLP's L1 norm is NaN or infinite: the spec asks the implementation to raise
    ValueError/RuntimeError or return a non-finite value, and says nothing more."""


def _relu(z):
    """max(z, 0) keeping NaN (as ``ReLU``)."""
    with np.errstate(invalid="ignore"):
        return np.where(z > 0, z, np.where(np.isnan(z), z, 0.0))


def tied_net(w_in: int, width: int, w_out: int, middle: str) -> Sequential:
    """The tutorial's tying example generalized: ``Linear(w_in, width), ReLU()``, then for each
    letter of ``middle`` the one ``shared = Linear(width, width)`` ("S"), a ``ReLU()`` ("R") or a fresh
    ``Linear(width, width)`` ("L"), then ``Linear(width, w_out)``. ``"SRSR"`` with (4, 8, 1) is the
    tutorial's ``Sequential(Linear(4, 8), ReLU(), shared, ReLU(), shared, ReLU(), Linear(8, 1))``."""
    shared = Linear(width, width)
    layers: list[Module] = [Linear(w_in, width), ReLU()]
    for letter in middle:
        layers.append(shared if letter == "S" else ReLU() if letter == "R" else Linear(width, width))
    return Sequential(*layers, Linear(width, w_out))

"""Leaf blocks of the spec: ``Linear`` and ``ReLU``."""

from __future__ import annotations

import numpy as np

from .bounds import INF, Precision, affine_error, ieee_matmul, matmul_error, sum_error
from .module import Module


def _rows(a: np.ndarray) -> np.ndarray:
    """Flatten all leading dims: (*, n) -> (prod(*), n) (``prod`` spelt out: ``-1`` cannot be inferred
    when n is 0, which numpy refuses with a ValueError, read as the example outside the spec's domain)."""
    return a.reshape(int(np.prod(a.shape[:-1], dtype=np.int64)), a.shape[-1])


class Linear(Module):
    """``y = x @ weight.T + bias``; input (*, in_features) -> (*, out_features).

    Parameters: ``weight`` (out_features, in_features), then ``bias`` (out_features,) when ``bias``.
    Backward: dx = dy @ weight; dweight = sum over rows of dy^T x; dbias = sum over rows of dy.

    IEEE semantics (``bounds.ieee_matmul``): an output is NaN when a term x_i w_i (or the bias) is
    NaN, an infinity meets a zero (inf * 0), or infinities of both signs meet; else +-inf when a
    term is infinite. So NaN and infinities propagate to their row, and (through dweight = dy^T x)
    to every weight they meet; the backward products follow the same rule.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.params["weight"] = np.zeros((out_features, in_features))
        if bias:
            self.params["bias"] = np.zeros(out_features)

    def forward(self, x):
        if x.ndim < 1 or x.shape[-1] != self.in_features:
            raise ValueError(f"Linear expects (*, {self.in_features}), got {x.shape}")
        y = ieee_matmul(x, self.params["weight"].T)
        if "bias" in self.params:
            y = y + self.params["bias"]
        return y, {"x": x}

    def backward(self, ctx, gy):
        x, w = ctx["x"], self.params["weight"]
        self.accumulate("weight", ieee_matmul(_rows(gy).T, _rows(x)))
        if "bias" in self.params:
            self.accumulate("bias", _rows(gy).sum(axis=0))
        return ieee_matmul(gy, w)

    def forward_error(self, ctx, ex, prec: Precision):
        ctx["ex"] = ex
        return affine_error(ctx["x"], ex, self.params["weight"], self.params.get("bias"), prec)

    def backward_error(self, ctx, gy, egy, prec: Precision):
        x, ex, w = ctx["x"], ctx["ex"], self.params["weight"]
        gy2, egy2 = _rows(gy), _rows(egy)
        self.accumulate_error("weight", ieee_matmul(gy2.T, _rows(x)),
                              matmul_error(gy2.T, egy2.T, _rows(x), _rows(ex), prec), prec)
        if "bias" in self.params:
            self.accumulate_error("bias", gy2.sum(axis=0), sum_error(gy2, egy2, 0, prec), prec)
        return matmul_error(gy, egy, w, np.zeros_like(w), prec)


class ReLU(Module):
    """``y = max(x, 0)`` elementwise, any shape; the gradient is ``dy`` where x > 0 and 0 where x <= 0.

    IEEE semantics: NaN stays NaN (as ``torch.relu`` does), +inf stays +inf, -inf gives 0; the
    gradient passes an infinite or NaN ``dy`` where x > 0 (+inf included) and is 0 where x <= 0
    (-inf included) for every finite ``dy``. Where x <= 0 and ``dy`` is not finite, both IEEE
    readings of "dy times a mask of 0" are correct: torch's ``where(x > 0, dy, 0)`` gives 0, the
    textbook ``dy * (x > 0)`` gives NaN (inf * 0); the spec does not determine which (its bound there is
    ``inf``). At a NaN input the spec does not say whether the gradient passes (torch's mask is
    x <= 0, another correct one x > 0): its bound there is ``inf`` too.
    """

    def forward(self, x):
        return np.maximum(x, 0.0), {"x": x, "kinks": [x]}  # NaN stays NaN, as in torch

    def backward(self, ctx, gy):
        return np.where(ctx["x"] > 0, gy, 0.0)

    def forward_error(self, ctx, ex, prec: Precision):
        """max(., 0) is exact and 1-Lipschitz; where every input within its error is negative
        (x < -ex) the output is exactly 0 in any correct computation, so its error is 0."""
        ctx["ex"] = ex
        with np.errstate(invalid="ignore"):
            return np.where(ctx["x"] < -ex, 0.0, ex)

    def backward_error(self, ctx, gy, egy, prec: Precision):
        return mask_error(ctx["x"], ctx["ex"], gy, egy)


def mask_error(x, ex, gy, egy) -> np.ndarray:
    """Bound on the gradient ``where(x > 0, gy, 0)`` for |x' - x| <= ex, |gy' - gy| <= egy: where x
    is within its error of 0 (or NaN, or undetermined) a correct implementation may pass gy or 0.
    Where the mask is 0 and gy is not finite (or its bound is infinite), ``gy * 0`` may be read as 0
    (torch's ``where``) or NaN (the textbook ``gy * mask``): undetermined, bound ``inf``."""
    with np.errstate(invalid="ignore"):
        either = ((np.abs(x) <= ex) & (ex > 0)) | np.isnan(x)
        spread = np.where(np.isfinite(gy), np.abs(gy) + egy, INF)
        masked_nonfinite = ~(x > 0) & ~either & (~np.isfinite(gy) | np.isinf(egy))
    spread = np.where((gy == 0) & (egy == 0), 0.0, spread)  # passing 0 or 0 is determined
    return np.where(x > 0, egy, 0.0) + np.where(either, spread, 0.0) + np.where(masked_nonfinite, INF, 0.0)

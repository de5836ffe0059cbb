"""Leaf blocks of the spec: ``Linear`` and ``ReLU``."""

from __future__ import annotations

import numpy as np

from .bounds import Precision, affine_error, matmul_error, sum_error
from .module import Module


def _rows(a: np.ndarray) -> np.ndarray:
    """Flatten all leading dims: (*, n) -> (prod(*), n)."""
    return a.reshape(-1, a.shape[-1])


class Linear(Module):
    """``y = x @ weight.T + bias``; input (*, in_features) -> (*, out_features).

    Parameters: ``weight`` (out_features, in_features), then ``bias`` (out_features,) when ``bias``.
    Backward: dx = dy @ weight; dweight = sum over rows of dy^T x; dbias = sum over rows of dy.
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
        y = x @ self.params["weight"].T
        if "bias" in self.params:
            y = y + self.params["bias"]
        return y, {"x": x}

    def backward(self, ctx, gy):
        x, w = ctx["x"], self.params["weight"]
        self.accumulate("weight", _rows(gy).T @ _rows(x))
        if "bias" in self.params:
            self.accumulate("bias", _rows(gy).sum(axis=0))
        return gy @ w

    def forward_error(self, ctx, ex, prec: Precision):
        ctx["ex"] = ex
        return affine_error(ctx["x"], ex, self.params["weight"], self.params.get("bias"), prec)

    def backward_error(self, ctx, gy, egy, prec: Precision):
        x, ex, w = ctx["x"], ctx["ex"], self.params["weight"]
        gy2, egy2 = _rows(gy), _rows(egy)
        self.accumulate_error("weight", gy2.T @ _rows(x), matmul_error(gy2.T, egy2.T, _rows(x), _rows(ex), prec), prec)
        if "bias" in self.params:
            self.accumulate_error("bias", gy2.sum(axis=0), sum_error(gy2, egy2, 0, prec), prec)
        return matmul_error(gy, egy, w, np.zeros_like(w), prec)


class ReLU(Module):
    """``y = max(x, 0)`` elementwise, any shape; the gradient is ``dy`` where x > 0 and 0 where x <= 0."""

    def forward(self, x):
        return np.maximum(x, 0.0), {"x": x, "kinks": [x]}  # NaN stays NaN, as in torch

    def backward(self, ctx, gy):
        return np.where(ctx["x"] > 0, gy, 0.0)

    def forward_error(self, ctx, ex, prec: Precision):
        ctx["ex"] = ex
        return ex  # max(., 0) is exact and 1-Lipschitz

    def backward_error(self, ctx, gy, egy, prec: Precision):
        x, ex = ctx["x"], ctx["ex"]
        # Where x is within its error of 0, a correct implementation may see the other sign.
        ambiguous = (np.abs(x) <= ex) & (ex > 0)
        return np.where(x > 0, egy, 0.0) + np.where(ambiguous, np.abs(gy) + egy, 0.0)

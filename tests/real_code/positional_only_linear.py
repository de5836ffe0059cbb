"""A Linear whose constructor takes its arguments positional-only (``def __init__(self, in_features,
out_features, bias=True, /)``, as C-extension layers and some frameworks' wrappers do), computing
through a hand-written autograd.Function: the suite passes ``bias`` by position too."""

import math

import torch
from torch import nn

EXPECTED = {"linear.factory*": "not provided", "linear.*": "passed"}


class _Affine(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        return nn.functional.linear(x, weight, bias)

    @staticmethod
    def backward(ctx, gy):
        x, weight = ctx.saved_tensors
        gw = torch.einsum("...o,...i->oi", gy, x)
        gb = gy.reshape(-1, gy.shape[-1]).sum(0) if ctx.has_bias else None
        return gy @ weight, gw, gb


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True, /):
        super().__init__()
        if in_features < 0 or out_features < 0:
            raise ValueError(f"negative size: ({in_features}, {out_features})")
        k = 1 / math.sqrt(in_features) if in_features else 0.0
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        return _Affine.apply(x, self.weight, self.bias)

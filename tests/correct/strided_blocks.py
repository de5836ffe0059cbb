"""Correct blocks whose tensors are legally non-contiguous: Linear's weight is the transpose of an (in, out) buffer and its bias a step-2 slice; outputs and gradients come back transposed or sliced.

Nothing here is wrong: torch takes any strides, so a suite that views, flattens or assumes fresh
contiguous storage on the target's tensors (``.view(-1)`` on a parameter) fails this file, not the
other way round.
"""

import math

import torch
from torch import nn

CATCHES: list[str] = []


def transposed(t):
    """The same values, in the layout of a transposed buffer (for 2-d and more)."""
    return t.mT.contiguous().mT if t.dim() >= 2 else t


def sliced(t):
    """The same values, in every other element of a buffer twice as long (for 1-d and more)."""
    if t.dim() == 0:
        return t
    out = t.new_empty(t.shape[:-1] + (2 * t.shape[-1],))[..., ::2]
    out.copy_(t)
    return out


class _Linear(torch.autograd.Function):
    """y = x @ w.T + b computed as (w @ x.T).T, so the output is in transposed layout; gradients too."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        rows = x.reshape(math.prod(x.shape[:-1]), x.shape[-1])  # (-1 is ambiguous at width 0)
        y = (weight @ rows.mT).mT  # (rows, out), strides (1, rows)
        if bias is not None:
            y = y + bias
        return y.reshape(x.shape[:-1] + (weight.shape[0],))

    @staticmethod
    def backward(ctx, gy):
        x, weight = ctx.saved_tensors
        rows = x.reshape(math.prod(x.shape[:-1]), x.shape[-1])
        grows = gy.reshape(math.prod(gy.shape[:-1]), gy.shape[-1])
        gx = transposed((weight.mT @ grows.mT).mT).reshape(x.shape)
        gw = (rows.mT @ grows).mT  # (out, in) as the transpose of an (in, out) result
        gb = sliced(grows.sum(0)) if ctx.has_bias else None
        return gx, gw, gb


class Linear(nn.Module):
    """weight (out, in) stored as the transpose of an (in, out) buffer; bias a step-2 slice."""

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        k = 1 / math.sqrt(in_features) if in_features else 0.0
        self.weight = nn.Parameter(torch.empty(in_features, out_features).uniform_(-k, k).t())
        if bias:
            self.bias = nn.Parameter(torch.empty(2 * out_features)[::2].uniform_(-k, k))
        else:
            self.register_parameter("bias", None)

    def forward(self, x):
        if x.dim() < 1 or x.shape[-1] != self.in_features:
            raise ValueError(f"expected (*, {self.in_features}), got {tuple(x.shape)}")
        return _Linear.apply(x, self.weight, self.bias)


class _ReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return sliced(torch.clamp(x, min=0))  # clamp keeps NaN

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return transposed(torch.where(x > 0, gy, torch.zeros((), dtype=gy.dtype, device=gy.device)))


class ReLU(nn.Module):
    def forward(self, x):
        return _ReLU.apply(x)


class Sequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            self.add_module(str(i), block)

    def forward(self, x):
        for block in self._modules.values():
            x = block(x)
        return x

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)


MySequential = Sequential


class CenteredLayer(nn.Module):
    def forward(self, x):
        return sliced(x - x.mean())

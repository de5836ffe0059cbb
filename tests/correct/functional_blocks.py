"""Correct blocks via other routes: F.linear, a custom autograd.Function ReLU, an nn.Sequential subclass, and a
MySequential that indexes through named children."""

import math

import torch
from torch import nn
from torch.nn import functional as F

CATCHES: list[str] = []


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.bias = nn.Parameter(torch.empty(out_features)) if bias else None
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(in_features) if in_features else 0.0  # bound 0 when in == 0
            nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)


class _ReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        mask = x > 0
        ctx.save_for_backward(mask)
        # not x * mask: -inf * 0 is NaN, and the spec's ReLU(-inf) is 0; "x <= 0 -> 0" keeps NaN
        return torch.where(x <= 0, torch.zeros((), dtype=x.dtype, device=x.device), x)

    @staticmethod
    def backward(ctx, gy):
        (mask,) = ctx.saved_tensors
        return torch.where(mask, gy, torch.zeros_like(gy))


class ReLU(nn.Module):
    def forward(self, x):
        return _ReLU.apply(x)


class Sequential(nn.Sequential):
    """torch's own container, subclassed (as many code bases do)."""


class MySequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            setattr(self, str(i), block)

    def forward(self, x):
        for block in self._modules.values():  # every position, a repeated (tied) block included
            x = block(x)
        return x

    def __getitem__(self, i):
        if i < 0:
            i += len(self)
        for j, block in enumerate(self._modules.values()):
            if j == i:
                return block
        raise IndexError(i)

    def __len__(self):
        return len(self._modules)

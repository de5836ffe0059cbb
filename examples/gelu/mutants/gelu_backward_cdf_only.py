"""GELU whose hand-written backward returns ``dy * Phi(x)``, forgetting the ``x * phi(x)`` term: the
forward is right, the gradient is not (the ReLU-like "pass where positive" shortcut, smoothed)."""

import math

import torch
from torch import nn

CATCHES = ["gelu.gradient*"]


class _Gelu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return nn.functional.gelu(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return gy * 0.5 * (1 + torch.erf(x / math.sqrt(2)))


class GELU(nn.Module):
    def forward(self, x):
        return _Gelu.apply(x)

"""A from-scratch GELU, correct but written another way than torch's kernel: ``x * Phi(x)`` with the
normal CDF as ``erfc(-x / sqrt 2) / 2`` (no cancellation where x is far below 0), and its own backward,
``dy * (Phi(x) + x * phi(x))``, as an autograd.Function."""

import math

import torch
from torch import nn


class _Gelu(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * (0.5 * torch.erfc(-x * (1 / math.sqrt(2))))

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        cdf = 0.5 * torch.erfc(-x * (1 / math.sqrt(2)))
        pdf = torch.exp(-0.5 * x * x) * (1 / math.sqrt(2 * math.pi))
        return gy * (cdf + x * pdf)


class GELU(nn.Module):
    def forward(self, x):
        return _Gelu.apply(x)

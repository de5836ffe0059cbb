"""Linear whose hand-written backward is right at first order and differentiable, but detaches the
saved input and weight (``.detach()`` "to save memory"): the second derivatives through the backward
(d grad_weight / dx, d grad_input / dweight) are silently zero, so a gradient penalty or a
Hessian-vector product through it is wrong, not missing."""

import math

import torch
from torch import nn

CATCHES = ["linear.gradgrad*"]


class _Affine(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        return nn.functional.linear(x, weight, bias)

    @staticmethod
    def backward(ctx, gy):
        x, weight = ctx.saved_tensors
        x, weight = x.detach(), weight.detach()  # defect: cuts the graph through the saved tensors
        rows = math.prod(x.shape[:-1])
        x2, gy2 = x.reshape(rows, x.shape[-1]), gy.reshape(rows, gy.shape[-1])
        return gy @ weight, gy2.T @ x2, gy2.sum(0) if ctx.has_bias else None


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features) if in_features else 0.0
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        return _Affine.apply(x, self.weight, self.bias)

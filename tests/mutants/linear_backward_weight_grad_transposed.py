"""Linear's hand-written autograd.Function returns the weight gradient transposed (x^T @ dy instead of dy^T @ x)."""

import math

import torch
from torch import nn

CATCHES = ["linear.gradient*", "linear.gradcheck*"]


class _Affine(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        y = x @ weight.T
        return y if bias is None else y + bias

    @staticmethod
    def backward(ctx, gy):
        x, weight = ctx.saved_tensors
        x2, gy2 = x.reshape(-1, x.shape[-1]), gy.reshape(-1, gy.shape[-1])
        gx = gy @ weight
        gw = x2.T @ gy2  # defect: should be gy2.T @ x2
        gb = gy2.sum(0) if ctx.has_bias else None
        return gx, gw, gb


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        return _Affine.apply(x, self.weight, self.bias)

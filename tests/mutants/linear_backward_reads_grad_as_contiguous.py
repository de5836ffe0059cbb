"""Linear's hand-written backward reads the upstream gradient's storage as if it were row-major contiguous, so a transposed, sliced or expanded upstream gradient (a .T or a slice further down) gives wrong gradients; contiguous ones are right."""

import math

import torch
from torch import nn

CATCHES = ["linear.gradient*"]


def row_major(t):
    strides, step = [], 1
    for n in reversed(t.shape):
        strides.append(step)
        step *= max(n, 1)
    return torch.as_strided(t, t.shape, tuple(reversed(strides)), t.storage_offset())


class _Linear(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        y = x @ weight.T
        return y if bias is None else y + bias

    @staticmethod
    def backward(ctx, gy):
        x, weight = ctx.saved_tensors
        gy = row_major(gy)
        rows, grows = x.reshape(-1, x.shape[-1]), gy.reshape(-1, gy.shape[-1])
        gb = grows.sum(0) if ctx.has_bias else None
        return gy @ weight, grows.T @ rows, gb


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        return _Linear.apply(x, self.weight, self.bias)

"""A Linear and a ReLU written as drop-in replacements for torch.nn's: factory keywords (dtype=, device=)
honoured, reset_parameters() (so construction under torch.device("meta") then to_empty() works), and
hand-written autograd Functions in the setup_context style whose backward is built from differentiable
operations (second derivatives, gradient penalties and Hessian-vector products go through it)."""

import math

import torch
from torch import nn

CATCHES: list = []


class _Affine(torch.autograd.Function):
    @staticmethod
    def forward(x, weight, bias):
        y = x @ weight.T
        return y if bias is None else y + bias

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, weight, bias = inputs
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None

    @staticmethod
    def backward(ctx, gy):
        x, weight = ctx.saved_tensors
        rows = math.prod(x.shape[:-1])
        x2, gy2 = x.reshape(rows, x.shape[-1]), gy.reshape(rows, gy.shape[-1])
        return gy @ weight, gy2.T @ x2, gy2.sum(0) if ctx.has_bias else None


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        factory = {"device": device, "dtype": dtype}
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features, **factory))
        self.bias = nn.Parameter(torch.empty(out_features, **factory)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.in_features) if self.in_features else 0.0
        with torch.no_grad():
            self.weight.uniform_(-bound, bound)
            if self.bias is not None:
                self.bias.uniform_(-bound, bound)

    def forward(self, x):
        return _Affine.apply(x, self.weight, self.bias)


class _ReLU(torch.autograd.Function):
    @staticmethod
    def forward(x):
        return x.clamp_min(0)

    @staticmethod
    def setup_context(ctx, inputs, output):
        (x,) = inputs
        ctx.save_for_backward(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return torch.where(x > 0, gy, torch.zeros_like(gy))


class ReLU(nn.Module):
    def forward(self, x):
        return _ReLU.apply(x)

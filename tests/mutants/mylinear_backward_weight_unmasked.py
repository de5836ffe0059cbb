"""MyLinear's hand-written autograd.Function computes the weight gradient as X^T @ dy, without the ReLU mask (it should be X^T @ (dy * (z > 0)))."""

import torch
from torch import nn

CATCHES = ["mylinear.gradient*", "mylinear.gradcheck*"]


class _DenseReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias):
        z = x @ weight + bias
        ctx.save_for_backward(x, weight, z)
        return z.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        x, weight, z = ctx.saved_tensors
        gz = grad_output * (z > 0)
        rows_x = x.reshape(-1, x.shape[-1])
        grad_weight = rows_x.T @ grad_output.reshape(-1, grad_output.shape[-1])  # defect: should use gz
        grad_bias = gz.reshape(-1, gz.shape[-1]).sum(0)
        return gz @ weight.T, grad_weight, grad_bias


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, X):
        return _DenseReLU.apply(X, self.weight, self.bias)

"""ReLU's hand-written autograd.Function masks the gradient with x >= 0, passing it through at x == 0."""

import torch
from torch import nn

CATCHES = ["relu.gradient*"]


class _ReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x > 0, x, torch.zeros_like(x))

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return gy * (x >= 0)  # defect: should be x > 0


class ReLU(nn.Module):
    def forward(self, x):
        return _ReLU.apply(x)

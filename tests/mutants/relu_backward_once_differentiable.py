"""ReLU whose hand-written backward is right but marked once_differentiable: no second derivative
through it (a gradient penalty on a network using it fails)."""

import torch
from torch import nn
from torch.autograd.function import once_differentiable

CATCHES = ["relu.gradgrad*"]


class _ReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp_min(0)

    @staticmethod
    @once_differentiable  # defect
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        return torch.where(x > 0, gy, torch.zeros_like(gy))


class ReLU(nn.Module):
    def forward(self, x):
        return _ReLU.apply(x)

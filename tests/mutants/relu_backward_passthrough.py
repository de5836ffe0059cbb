"""ReLU's hand-written autograd.Function passes the upstream gradient through unmasked (a leftover straight-through
estimator)."""

import torch
from torch import nn

CATCHES = ["relu.gradient*", "relu.gradcheck*"]


class _ReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return torch.where(x > 0, x, torch.zeros_like(x))

    @staticmethod
    def backward(ctx, gy):
        return gy  # defect: should be gy where x > 0, else 0


class ReLU(nn.Module):
    def forward(self, x):
        return _ReLU.apply(x)

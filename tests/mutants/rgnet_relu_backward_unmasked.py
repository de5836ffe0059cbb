"""ReLU's hand-written autograd.Function returns grad_output unchanged (a straight-through estimator), so no gradient is masked where the input was negative."""

import torch
from torch import nn

CATCHES = ["rgnet.gradient*", "rgnet.gradcheck*"]

Linear = nn.Linear
Sequential = nn.Sequential


class _ReLUFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output  # defect: should be grad_output * (x > 0)


class ReLU(nn.Module):
    def forward(self, x):
        return _ReLUFunction.apply(x)

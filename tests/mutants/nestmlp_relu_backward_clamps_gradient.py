"""NestMLP's hand-written ReLU autograd.Function returns relu(grad_output) as the input gradient instead of masking it by input > 0."""

import torch
from torch import nn

CATCHES = ["nestmlp.gradient*", "nestmlp.gradcheck*"]


class _ReLUFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.clamp(min=0)  # defect: should be grad_output * (x > 0)


class _ReLU(nn.Module):
    def forward(self, x):
        return _ReLUFunction.apply(x)


class NestMLP(nn.Module):
    def __init__(self, in_features=20):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_features, 64), _ReLU(), nn.Linear(64, 32), _ReLU())
        self.linear = nn.Linear(32, 16)

    def forward(self, x):
        return self.linear(self.net(x))

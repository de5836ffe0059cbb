"""CenteredLayer's hand-written autograd.Function passes the gradient through unchanged (dx = dy), forgetting the - mean(dy) term."""

import torch
from torch import nn

CATCHES = ["centeredlayer.gradient*", "centeredlayer.gradcheck*"]


class _Center(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x - x.mean()

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output  # defect: should be grad_output - grad_output.mean()


class CenteredLayer(nn.Module):
    def forward(self, x):
        return _Center.apply(x)

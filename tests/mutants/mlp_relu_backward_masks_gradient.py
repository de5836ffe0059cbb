"""MLP's hand-written ReLU autograd.Function masks the gradient by grad_output > 0 instead of by input > 0."""

import torch
from torch import nn

CATCHES = ["mlp.gradient*", "mlp.gradcheck*"]


class _ReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * (grad_output > 0)  # defect: should be (x > 0)


class MLP(nn.Module):
    def __init__(self, in_features=20, hidden_features=256, out_features=10):
        super().__init__()
        self.hidden = nn.Linear(in_features, hidden_features)
        self.out = nn.Linear(hidden_features, out_features)

    def forward(self, x):
        return self.out(_ReLU.apply(self.hidden(x)))

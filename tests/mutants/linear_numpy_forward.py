"""Linear computes its forward in NumPy and wraps the result with torch.from_numpy, cutting the autograd graph."""

import math

import torch
from torch import nn

CATCHES = ["linear.gradient*"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        y = x.detach().numpy() @ self.weight.detach().numpy().T
        if self.bias is not None:
            y = y + self.bias.detach().numpy()
        return torch.from_numpy(y)

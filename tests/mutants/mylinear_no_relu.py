"""MyLinear returns X @ weight + bias without the ReLU."""

import torch
from torch import nn

CATCHES = ["mylinear.forward*", "mylinear.gradient*"]


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, X):
        return torch.matmul(X, self.weight) + self.bias

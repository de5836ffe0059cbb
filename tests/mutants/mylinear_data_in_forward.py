"""MyLinear computes relu(X @ self.weight.data + self.bias.data), as the published tutorial does, so its parameters never receive a gradient."""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["mylinear.gradient*", "mylinear.gradcheck*"]


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, X):
        linear = torch.matmul(X, self.weight.data) + self.bias.data
        return F.relu(linear)

"""MyLinear starts its bias at 0 (as many layers do) instead of drawing it from N(0, 1)."""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["mylinear.init[default]"]


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.zeros(units))  # defect: the spec draws the bias N(0, 1)

    def forward(self, x):
        return F.relu(x @ self.weight + self.bias)

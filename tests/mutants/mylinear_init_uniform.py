"""MyLinear draws weight and bias from U(-sqrt(3), sqrt(3)): mean 0 and variance 1 as N(0, 1), the wrong shape."""

import math

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["mylinear.init[default]"]


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter((torch.rand(in_units, units) * 2 - 1) * math.sqrt(3))  # defect: uniform
        self.bias = nn.Parameter((torch.rand(units) * 2 - 1) * math.sqrt(3))

    def forward(self, x):
        return F.relu(x @ self.weight + self.bias)

"""MyLinear scales its weight by 1/sqrt(in_units) (a 'better' init): N(0, 1/in_units), not N(0, 1)."""

import math

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["mylinear.init[default]"]


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units) / math.sqrt(in_units))  # defect
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, x):
        return F.relu(x @ self.weight + self.bias)

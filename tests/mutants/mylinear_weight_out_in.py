"""MyLinear stores weight as (units, in_units), nn.Linear's layout, and transposes it in forward, so the weight's layout differs from the spec's (in_units, units)."""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["mylinear.structure", "mylinear.forward*"]


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(units, in_units))  # defect: should be (in_units, units)
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, X):
        return F.relu(X @ self.weight.T + self.bias)

"""MyLinear registers bias as a buffer instead of an nn.Parameter, so the bias is never trained."""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["mylinear.structure", "mylinear.gradient*"]


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.register_buffer("bias", torch.randn(units))  # defect: should be nn.Parameter

    def forward(self, X):
        return F.relu(X @ self.weight + self.bias)

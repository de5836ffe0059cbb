"""MyLinear computes X @ weight as a broadcast product and sum, (X[..., :, None] * weight).sum(-2), which broadcasts a size-1 dim, so MyLinear(1, n) accepts inputs of any width."""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["mylinear.bad_input"]


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, X):
        return F.relu((X.unsqueeze(-1) * self.weight).sum(-2) + self.bias)

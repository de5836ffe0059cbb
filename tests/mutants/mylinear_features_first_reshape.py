"""MyLinear flattens leading dims with X.reshape(in_units, -1).T instead of X.reshape(-1, in_units), mixing values of different rows."""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["mylinear.independence*", "mylinear.forward*"]


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.in_units = in_units
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, X):
        if X.shape[-1] != self.in_units:
            raise ValueError(f"expected last dim {self.in_units}, got {tuple(X.shape)}")
        rows = X.reshape(self.in_units, -1).T  # defect: should be X.reshape(-1, self.in_units)
        y = F.relu(rows @ self.weight + self.bias)
        return y.reshape(*X.shape[:-1], y.shape[-1])

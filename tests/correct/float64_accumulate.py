"""A correct Linear that accumulates in float64 and rounds to the input's dtype, validating the input width itself."""

import math

import torch
from torch import nn

CATCHES: list[str] = []


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        k = 1 / math.sqrt(in_features) if in_features else 0.0  # bound 0 when in == 0
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        if x.dim() < 1 or x.shape[-1] != self.in_features:
            raise ValueError(f"Linear: expected input (*, {self.in_features}), got {tuple(x.shape)}")
        y = x.double() @ self.weight.double().T
        if self.bias is not None:
            y = y + self.bias.double()
        return y.to(x.dtype)

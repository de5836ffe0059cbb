"""Linear keeps weight as (out_features, in_features) but computes x @ weight without the transpose (works only when
square, and wrongly)."""

import math

import torch
from torch import nn

CATCHES = ["linear.forward*", "linear.gradient*"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        y = x @ self.weight
        return y if self.bias is None else y + self.bias

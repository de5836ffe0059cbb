"""Linear that clamps a negative size to 0 instead of refusing it: Linear(-1, 3) builds a block."""

import math

import torch
from torch import nn

CATCHES = ["linear.bad_args"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        in_features, out_features = max(in_features, 0), max(out_features, 0)  # defect: should raise
        k = 1 / math.sqrt(in_features) if in_features else 0.0
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        return nn.functional.linear(x, self.weight, self.bias)

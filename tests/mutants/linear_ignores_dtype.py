"""Linear that accepts dtype= and device= (as torch.nn.Linear does) but ignores them: its parameters are
always float32 on the CPU."""

import math

import torch
from torch import nn

CATCHES = ["linear.factory*"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        k = 1 / math.sqrt(in_features) if in_features else 0.0
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))  # defect: no dtype/device
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        return nn.functional.linear(x, self.weight, self.bias)

"""Linear silently computes float64 inputs in float32 and casts the result back to float64."""

import math

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["linear.forward[float64]", "linear.gradient[float64]"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        b = None if self.bias is None else self.bias.float()
        return F.linear(x.float(), self.weight.float(), b).to(x.dtype)

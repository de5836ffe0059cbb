"""Linear clips its weight to [-1, 1] in place at the start of every forward (WGAN-style), changing its parameters."""

import math

import torch
from torch import nn

CATCHES = ["linear.gradient*", "linear.forward*"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        with torch.no_grad():
            self.weight.clamp_(-1.0, 1.0)
        y = x @ self.weight.T
        return y if self.bias is None else y + self.bias

"""Linear "sanitises" its input in place with x.nan_to_num_(), modifying the caller's tensor (its version counter)."""

import math

import torch
from torch import nn

CATCHES = ["linear.forward*"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        x.nan_to_num_()
        y = x @ self.weight.T
        return y if self.bias is None else y + self.bias

"""Linear flattens the input with reshape(-1, in_features) and returns the 2-D result, losing the leading dims."""

import math

import torch
from torch import nn

CATCHES = ["linear.forward*", "linear.gradient*"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features = in_features
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        y = x.reshape(-1, self.in_features) @ self.weight.T
        return y if self.bias is None else y + self.bias

"""Linear flattens its input with x.view(-1, in_features), which raises on a transposed, permuted or sliced input (reshape would copy)."""

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
        rows = x.view(-1, x.shape[-1])
        y = rows @ self.weight.T
        if self.bias is not None:
            y = y + self.bias
        return y.view(x.shape[:-1] + (self.weight.shape[0],))

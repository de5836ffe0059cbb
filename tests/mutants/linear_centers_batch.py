"""Linear subtracts the batch mean of its input (a leftover of batch normalisation), so a row's output depends on the
other rows."""

import math

import torch
from torch import nn

CATCHES = ["linear.independence*", "linear.forward*"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        rows = x.reshape(-1, x.shape[-1])
        x = x - rows.mean(0)
        y = x @ self.weight.T
        return y if self.bias is None else y + self.bias

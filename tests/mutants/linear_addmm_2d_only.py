"""Linear uses torch.addmm / torch.mm, which accept only 2-D inputs, so 1-D and batched 3-D inputs raise."""

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
        if self.bias is None:
            return torch.mm(x, self.weight.T)
        return torch.addmm(self.bias, x, self.weight.T)

"""Linear registers bias before weight, so named_parameters() and state_dict() list them in the wrong order."""

import math

import torch
from torch import nn

CATCHES = ["linear.structure"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features)
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))

    def forward(self, x):
        y = x @ self.weight.T
        return y if self.bias is None else y + self.bias

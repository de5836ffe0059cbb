"""Linear draws weight and bias from U(-0.95/sqrt(in), 0.95/sqrt(in)): the bound 5% too small."""

import math

import torch
from torch import nn

CATCHES = ["linear.init[default]"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.bias = nn.Parameter(torch.empty(out_features)) if bias else None
        with torch.no_grad():
            k = 0.95 / math.sqrt(in_features) if in_features else 0.0  # defect: 5% too small
            self.weight.uniform_(-k, k)
            if self.bias is not None:
                self.bias.uniform_(-k, k)

    def forward(self, x):
        y = x @ self.weight.T
        return y if self.bias is None else y + self.bias

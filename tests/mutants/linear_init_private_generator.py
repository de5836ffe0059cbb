"""Linear draws from a private generator seeded with 0: every Linear of a shape gets the same values."""

import math

import torch
from torch import nn

CATCHES = ["linear.reproducible", "linear.init[default]"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.bias = nn.Parameter(torch.empty(out_features)) if bias else None
        with torch.no_grad():
            gen = torch.Generator().manual_seed(0)  # defect: the same values for every construction
            k = 1 / math.sqrt(in_features) if in_features else 0.0
            self.weight.uniform_(-k, k, generator=gen)
            if self.bias is not None:
                self.bias.uniform_(-k, k, generator=gen)

    def forward(self, x):
        y = x @ self.weight.T
        return y if self.bias is None else y + self.bias

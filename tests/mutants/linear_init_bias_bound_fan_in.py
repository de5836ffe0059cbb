"""Linear draws its bias from U(-1/in_features, 1/in_features) (no square root); the weight is right."""

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
            k = 1 / math.sqrt(in_features) if in_features else 0.0
            self.weight.uniform_(-k, k)
            if self.bias is not None:
                kb = 1 / in_features if in_features else 0.0  # defect: 1/in, not 1/sqrt(in)
                self.bias.uniform_(-kb, kb)

    def forward(self, x):
        y = x @ self.weight.T
        return y if self.bias is None else y + self.bias

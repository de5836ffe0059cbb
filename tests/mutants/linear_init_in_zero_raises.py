"""Linear computes its bound as 1/sqrt(in_features) unguarded: Linear(0, n) raises ZeroDivisionError (the spec:
bound 0)."""

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
            k = 1 / math.sqrt(in_features)  # defect: in_features == 0 divides by zero
            self.weight.uniform_(-k, k)
            if self.bias is not None:
                self.bias.uniform_(-k, k)

    def forward(self, x):
        y = x @ self.weight.T
        return y if self.bias is None else y + self.bias

"""Linear preallocates its output with torch.zeros in the default dtype (float32), so float64 inputs give float32
outputs."""

import math

import torch
from torch import nn

CATCHES = ["linear.forward[float64]", "linear.gradient[float64]"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        out = torch.zeros(*x.shape[:-1], self.out_features)
        out[...] = x @ self.weight.T
        if self.bias is not None:
            out = out + self.bias
        return out

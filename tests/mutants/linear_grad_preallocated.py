"""Linear preallocates zero .grad tensors for its parameters in __init__, so .grad is not None before any backward."""

import math

import torch
from torch import nn

CATCHES = ["linear.gradient*"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None
        for p in self.parameters():
            p.grad = torch.zeros_like(p)

    def forward(self, x):
        y = x @ self.weight.T
        return y if self.bias is None else y + self.bias

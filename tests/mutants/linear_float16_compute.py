"""Linear computes in float16 and casts the result back to the input's dtype."""

import math

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["linear.forward*", "linear.gradient*"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        b = None if self.bias is None else self.bias.half()
        return F.linear(x.half(), self.weight.half(), b).to(x.dtype)

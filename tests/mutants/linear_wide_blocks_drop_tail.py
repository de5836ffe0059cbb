"""Linear switches to a blocked kernel past 128 input features that reduces in blocks of 64 and drops the remainder, so widths such as 129, 144 or 300 lose their last features (narrow layers and 256 are right)."""

import math

import torch
from torch import nn

CATCHES = ["linear.forward*"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        n = x.shape[-1]
        if n > 128:
            used = n // 64 * 64
            y = sum(x[..., i:i + 64] @ self.weight[:, i:i + 64].T for i in range(0, used, 64))
        else:
            y = x @ self.weight.T
        return y if self.bias is None else y + self.bias

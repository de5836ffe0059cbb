"""Linear reads its input's storage as if it were row-major contiguous (as_strided with row-major strides, as a hand-written kernel on data_ptr() does), so a transposed, sliced or expanded input gives wrong values."""

import math

import torch
from torch import nn

CATCHES = ["linear.forward*"]


def row_major(x):
    strides, step = [], 1
    for n in reversed(x.shape):
        strides.append(step)
        step *= max(n, 1)
    return torch.as_strided(x, x.shape, tuple(reversed(strides)), x.storage_offset())


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        y = row_major(x) @ self.weight.T
        return y if self.bias is None else y + self.bias

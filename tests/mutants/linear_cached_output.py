"""Linear memoises its output per input shape and returns the stale first result for every later input of that shape."""

import math

import torch
from torch import nn

#: Only linear.independence (rows one by one) and linear.gradcheck (x +- h v) call one block on different
#: inputs of the same shape; the forward check calls a fresh block twice on the same input.
CATCHES = ["linear.independence*", "linear.gradcheck*"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None
        self._cache = {}

    def forward(self, x):
        key = (tuple(x.shape), x.dtype)
        if key not in self._cache:
            y = x @ self.weight.T
            self._cache[key] = y if self.bias is None else y + self.bias
        return self._cache[key]

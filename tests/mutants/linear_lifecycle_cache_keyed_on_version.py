"""Linear caches its transposed weight keyed on the weight's version counter, which writes through `.data` do not
bump: after `p.data[...] = v` it computes with the old weight.
"""

import math

import torch
from torch import nn

CATCHES = ["linear.lifecycle*"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features) if in_features else 0.0
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None
        self._cache = (None, None)

    def forward(self, x):
        key = (self.weight._version, self.weight.dtype, self.weight.data_ptr())  # defect: .data writes keep all three
        if self._cache[0] != key:
            self._cache = (key, self.weight.detach().t().contiguous())
        # the cached copy carries no grad: the weight's gradient goes through a straight-through term
        weight_t = self._cache[1] + (self.weight.t() - self.weight.t().detach())
        y = x @ weight_t
        return y if self.bias is None else y + self.bias

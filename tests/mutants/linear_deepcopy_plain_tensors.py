"""Linear whose __deepcopy__ copies the values as plain tensors set with object.__setattr__ (a "fast
clone"): the copy computes the same outputs, but has no parameters and an empty state_dict, so it
can neither be trained nor saved."""

import math

import torch
from torch import nn

CATCHES = ["linear.copy"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        bound = 1 / math.sqrt(in_features) if in_features else 0.0
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound)) if bias else None

    def __deepcopy__(self, memo):
        twin = type(self).__new__(type(self))
        nn.Module.__init__(twin)
        object.__setattr__(twin, "weight", self.weight.detach().clone())
        object.__setattr__(twin, "bias", None if self.bias is None else self.bias.detach().clone())
        return twin

    def forward(self, x):
        return nn.functional.linear(x, self.weight, self.bias)

"""Linear whose __deepcopy__ makes an "inference copy" (the EMA-teacher habit, put in the wrong place):
the copy's parameters have requires_grad=False, so copy.deepcopy(block) cannot be trained as the
original can, and an optimizer over the copy's parameters() changes nothing."""

import copy
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
        twin.__dict__.update({k: copy.deepcopy(v, memo) for k, v in self.__dict__.items()})
        for p in twin.parameters():
            p.requires_grad_(False)
        return twin

    def forward(self, x):
        return nn.functional.linear(x, self.weight, self.bias)

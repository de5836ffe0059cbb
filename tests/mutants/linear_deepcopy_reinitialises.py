"""Linear with a hand-written ``__deepcopy__`` that builds a new layer of the same sizes (as a
"clone" helper often does): the copy has fresh random weights instead of the original's."""

import math

import torch
from torch import nn

CATCHES = ["linear.copy"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        k = 1 / math.sqrt(in_features) if in_features else 0.0
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def __deepcopy__(self, memo):
        return type(self)(self.in_features, self.out_features, self.bias is not None)  # defect: new init

    def forward(self, x):
        return nn.functional.linear(x, self.weight, self.bias)

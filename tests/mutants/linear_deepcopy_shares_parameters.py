"""Linear whose __deepcopy__ builds a new module around the same Parameters: training the copy (as
clones(layer, N) copies are trained) trains the original."""

import math

import torch
from torch import nn

CATCHES = ["linear.copy"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features) if in_features else 0.0
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        return nn.functional.linear(x, self.weight, self.bias)

    def __deepcopy__(self, memo):
        twin = Linear.__new__(Linear)
        nn.Module.__init__(twin)
        twin.weight, twin.bias = self.weight, self.bias  # defect: shared, not copied
        return twin

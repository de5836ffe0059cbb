"""Linear(bias=False) still registers (and adds) a bias parameter, initialised to zero."""

import math

import torch
from torch import nn

CATCHES = ["linear.structure"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        init = torch.empty(out_features).uniform_(-k, k) if bias else torch.zeros(out_features)
        self.bias = nn.Parameter(init)

    def forward(self, x):
        return x @ self.weight.T + self.bias

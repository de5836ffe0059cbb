"""Linear uses self.weight.detach() in forward, so the weight never receives a gradient."""

import math

import torch
from torch import nn

CATCHES = ["linear.gradient*", "linear.gradcheck*"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        y = x @ self.weight.detach().T
        return y if self.bias is None else y + self.bias

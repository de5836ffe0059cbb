"""Linear draws weight and bias from N(0, 1/(3 in)): the uniform's mean and variance, the wrong shape."""

import math

import torch
from torch import nn

CATCHES = ["linear.init[default]"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.bias = nn.Parameter(torch.empty(out_features)) if bias else None
        with torch.no_grad():
            std = 1 / math.sqrt(3 * in_features) if in_features else 0.0  # defect: normal, not uniform
            self.weight.normal_(0.0, std)
            if self.bias is not None:
                self.bias.normal_(0.0, std)

    def forward(self, x):
        y = x @ self.weight.T
        return y if self.bias is None else y + self.bias

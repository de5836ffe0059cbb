"""Linear flattens leading dims with x.reshape(in_features, -1).T instead of x.reshape(-1, in_features), mixing values of different rows."""

import math

import torch
from torch import nn

CATCHES = ["rgnet.independence*", "rgnet.forward*"]

ReLU = nn.ReLU
Sequential = nn.Sequential


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        if x.shape[-1] != self.in_features:
            raise ValueError(f"expected last dim {self.in_features}, got {tuple(x.shape)}")
        rows = x.reshape(self.in_features, -1).T  # defect: should be x.reshape(-1, self.in_features)
        y = rows @ self.weight.T
        if self.bias is not None:
            y = y + self.bias
        return y.reshape(*x.shape[:-1], self.out_features)

"""Chimera's NestMLP is the d2l version built with nn.LazyLinear layers, so it accepts any input width and its parameters are uninitialised until the first call."""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["chimera.bad_input", "chimera.structure"]


class _NestMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.LazyLinear(64), nn.ReLU(), nn.LazyLinear(32), nn.ReLU())
        self.linear = nn.LazyLinear(16)

    def forward(self, x):
        return self.linear(self.net(x))


class _FixedHiddenMLP(nn.Module):
    def __init__(self, features=20):
        super().__init__()
        self.register_buffer("rand_weight", torch.rand(features, features))
        self.linear = nn.Linear(features, features)

    def forward(self, x):
        h = self.linear(x)
        h = F.relu(h @ self.rand_weight + 1)
        h = self.linear(h)
        norm = h.abs().sum()
        if not torch.isfinite(norm):
            raise ValueError(f"the L1 norm of the hidden output is {norm.item()}")
        while norm > 1:
            h = h / 2
            norm = h.abs().sum()
        return h.sum()


def Chimera():
    return nn.Sequential(_NestMLP(), nn.Linear(16, 20), _FixedHiddenMLP())

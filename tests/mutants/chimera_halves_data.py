"""Chimera's FixedHiddenMLP halves through h.data /= 2, so autograd misses the halving and the chimera's gradients are 2**k too large."""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["chimera.gradient*", "chimera.gradcheck*"]


class _NestMLP(nn.Module):
    def __init__(self, in_features=20):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_features, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.linear = nn.Linear(32, 16)

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
        if not torch.isfinite(h.abs().sum()):
            raise ValueError("the L1 norm of the hidden output is not finite")
        while h.abs().sum() > 1:
            h.data /= 2  # defect: invisible to autograd
        return h.sum()


def Chimera():
    return nn.Sequential(_NestMLP(), nn.Linear(16, 20), _FixedHiddenMLP())

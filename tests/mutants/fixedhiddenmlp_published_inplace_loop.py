"""FixedHiddenMLP uses the published loop `while X.abs().sum() > 1: X /= 2` with no finiteness guard, so an infinite hidden output halves forever."""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["fixedhiddenmlp.termination"]
CALL_TIMEOUT = 2.0


class FixedHiddenMLP(nn.Module):
    def __init__(self, features=20):
        super().__init__()
        self.register_buffer("rand_weight", torch.rand(features, features))
        self.linear = nn.Linear(features, features)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(X @ self.rand_weight + 1)
        X = self.linear(X)
        while X.abs().sum() > 1:
            X /= 2
        return X.sum()

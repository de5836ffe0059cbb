"""FixedHiddenMLP guards its halving loop with torch.isnan only, so an infinite (not NaN) L1 norm still halves forever."""

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

    def forward(self, x):
        h = self.linear(x)
        h = F.relu(h @ self.rand_weight + 1)
        h = self.linear(h)
        norm = h.abs().sum()
        if torch.isnan(norm):  # defect: misses +inf
            raise ValueError("the L1 norm of the hidden output is NaN")
        while norm > 1:
            h = h / 2
            norm = h.abs().sum()
        return h.sum()

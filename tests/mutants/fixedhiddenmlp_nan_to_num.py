"""FixedHiddenMLP "sanitises" the hidden output with torch.nan_to_num before halving, so an overflowed (infinite) output silently becomes a finite result."""

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
        h = torch.nan_to_num(self.linear(h))  # defect: inf becomes the largest finite value
        norm = h.abs().sum()
        while norm > 1:
            h = h / 2
            norm = h.abs().sum()
        return h.sum()

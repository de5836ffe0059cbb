"""FixedHiddenMLP multiplies by rand_weight.T (nn.Linear's convention) instead of rand_weight."""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["fixedhiddenmlp.forward*", "fixedhiddenmlp.gradient*"]


class FixedHiddenMLP(nn.Module):
    def __init__(self, features=20):
        super().__init__()
        self.register_buffer("rand_weight", torch.rand(features, features))
        self.linear = nn.Linear(features, features)

    def forward(self, x):
        h = self.linear(x)
        h = F.relu(h @ self.rand_weight.T + 1)  # defect: should be h @ self.rand_weight
        h = self.linear(h)
        norm = h.abs().sum()
        if not torch.isfinite(norm):
            raise ValueError(f"the L1 norm of the hidden output is {norm.item()}")
        while norm > 1:
            h = h / 2
            norm = h.abs().sum()
        return h.sum()

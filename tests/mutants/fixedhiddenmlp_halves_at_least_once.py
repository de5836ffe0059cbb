"""FixedHiddenMLP halves before testing the norm (a do-while loop), so an output whose L1 norm is already <= 1 is still halved once."""

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
        h = F.relu(h @ self.rand_weight + 1)
        h = self.linear(h)
        if not torch.isfinite(h.abs().sum()):
            raise ValueError("the L1 norm of the hidden output is not finite")
        while True:
            h = h / 2
            if h.abs().sum() <= 1:
                break
        return h.sum()

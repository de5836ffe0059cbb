"""FixedHiddenMLP halves while h.sum() > 1 instead of while h.abs().sum() > 1, so cancelling signs stop the halving too early."""

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
        if not torch.isfinite(h.sum()):
            raise ValueError("the sum of the hidden output is not finite")
        while h.sum() > 1:  # defect: should be h.abs().sum()
            h = h / 2
        return h.sum()

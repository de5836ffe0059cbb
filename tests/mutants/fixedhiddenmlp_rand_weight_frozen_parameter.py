"""FixedHiddenMLP makes rand_weight an nn.Parameter with requires_grad=False instead of a buffer, so it is listed among the parameters."""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["fixedhiddenmlp.buffers", "fixedhiddenmlp.structure"]


class FixedHiddenMLP(nn.Module):
    def __init__(self, features=20):
        super().__init__()
        self.rand_weight = nn.Parameter(torch.rand(features, features), requires_grad=False)  # defect
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

"""FixedHiddenMLP builds its layer with nn.LazyLinear(features) (as the d2l tutorial does), so its parameters are uninitialised (shape unknown) until the first call."""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["fixedhiddenmlp.structure"]


class FixedHiddenMLP(nn.Module):
    def __init__(self, features=20):
        super().__init__()
        self.register_buffer("rand_weight", torch.rand(features, features))
        self.linear = nn.LazyLinear(features)

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

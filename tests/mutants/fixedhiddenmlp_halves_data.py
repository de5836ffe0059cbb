"""FixedHiddenMLP halves through h.data /= 2 (to dodge autograd's in-place errors), so autograd never sees the halving and every gradient is 2**k too large."""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["fixedhiddenmlp.gradient*", "fixedhiddenmlp.gradcheck*"]


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
        if not torch.isfinite(norm):
            raise ValueError(f"the L1 norm of the hidden output is {norm.item()}")
        while h.abs().sum() > 1:
            h.data /= 2  # defect: invisible to autograd
        return h.sum()

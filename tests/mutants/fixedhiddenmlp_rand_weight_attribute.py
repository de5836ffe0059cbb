"""FixedHiddenMLP keeps rand_weight as a plain tensor attribute (self.rand_weight = torch.rand(...)), as the published tutorial does, so it is not a buffer: state_dict(), save/load and .to() do not see it."""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["fixedhiddenmlp.buffers", "fixedhiddenmlp.structure", "fixedhiddenmlp.saveload*"]


class FixedHiddenMLP(nn.Module):
    def __init__(self, features=20):
        super().__init__()
        self.rand_weight = torch.rand(features, features)  # defect: should be register_buffer
        self.linear = nn.Linear(features, features)

    def forward(self, x):
        h = self.linear(x)
        h = F.relu(h @ self.rand_weight + 1)
        h = self.linear(h)
        norm = h.abs().sum()
        if not torch.isfinite(norm):
            raise ValueError(f"the L1 norm of the hidden output is {norm.item()}")
        while h.abs().sum() > 1:
            h = h / 2
        return h.sum()

"""FixedHiddenMLP draws rand_weight with NumPy's unseeded default_rng(), so torch.manual_seed does not
reproduce it."""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["fixedhiddenmlp.reproducible"]


class FixedHiddenMLP(nn.Module):
    def __init__(self, features=20):
        super().__init__()
        self.register_buffer("rand_weight", torch.from_numpy(np.random.default_rng().random((features, features), dtype=np.float32)))  # defect)
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

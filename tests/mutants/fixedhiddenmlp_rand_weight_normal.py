"""FixedHiddenMLP draws rand_weight with torch.randn (standard normal) instead of torch.rand (uniform on [0, 1))."""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["fixedhiddenmlp.buffers"]

#: Not caught for the right reason: no check looks at rand_weight's values (forward, gradient and
#: saveload all run on the block's own buffer, whatever its distribution; buffers checks only that it
#: is a registered, non-parameter, gradient-free buffer). The only failing check is
#: fixedhiddenmlp.termination, incidentally and with a misleading message ("an overflowing hidden
#: output gave a finite result"): with features=1 and a negative rand_weight, relu(inf * r + 1) is 0,
#: so the hidden output never overflows and a finite result is this block's correct output. With
#: features >= 2 mixed signs give NaN and the isfinite guard raises, so termination passes.
#: Fix: in fixedhiddenmlp.buffers (and chimera.buffers), require 0 <= rand_weight < 1 elementwise
#: (the block's own init, no parameter overwrite), maybe plus a loose mean test for large F.


class FixedHiddenMLP(nn.Module):
    def __init__(self, features=20):
        super().__init__()
        self.register_buffer("rand_weight", torch.randn(features, features))  # defect: should be torch.rand
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

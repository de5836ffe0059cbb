"""FixedHiddenMLP halves while the L1 norm is >= 1 instead of > 1, so a norm of exactly 2**k is halved once more."""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["fixedhiddenmlp.forward*", "fixedhiddenmlp.gradient*"]

#: Not caught, by design of the tolerance: the output differs from the spec's only when the L1 norm
#: after some number of halvings is exactly 1 (a tie), and FixedHiddenMLP's reference bound
#: (reference/blocks.py, FixedHiddenMLP._halvings_range) accepts either halving count whenever the
#: norm is within its rounding bound of 1 -- which an exact tie always is (the bound has a
#: positive prec.tiny term). E.g. features=1, weight 0, bias 1, x = zeros(2, 1), float64: the norm
#: is exactly 2; the spec gives 1.0, this mutant 0.5, and the reference bound is 0.5000000000000007,
#: so both pass. Random draws essentially never hit an exact power of two anyway.
KNOWN_GAP = "an exact tie (L1 norm == 2**k) is inside the halving-count ambiguity the tolerance allows"


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
        while norm >= 1:  # defect: should be > 1
            h = h / 2
            norm = h.abs().sum()
        return h.sum()

"""FixedHiddenMLP guards only against an infinite L1 norm and halves "until norm <= 1" (while True ... break), so a NaN norm, which is never <= 1, halves forever."""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["fixedhiddenmlp.termination"]
CALL_TIMEOUT = 2.0

#: Not caught: fixedhiddenmlp.termination only feeds +inf or the dtype's max with every weight and
#: bias made >= 1 (and rand_weight >= 0), so the hidden output is always +inf, never NaN; this
#: block's isinf guard raises for that. A NaN norm (e.g. x = torch.full((2, 3), float("nan")), or
#: an input mixing +inf and -inf) passes the guard and `if norm <= 1: break` never fires: it loops
#: forever (checked by hand: still running after 3 s, while the built-in target raises ValueError).
#: The spec ("a non-finite L1 norm must raise or return non-finite, never loop forever") covers
#: NaN. Fix: let the termination check also draw NaN (and +-inf mixed) input values.


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
        if torch.isinf(norm):  # defect: NaN passes the guard
            raise ValueError("the L1 norm of the hidden output overflowed")
        while True:
            if norm <= 1:  # never true for NaN
                break
            h = h / 2
            norm = h.abs().sum()
        return h.sum()

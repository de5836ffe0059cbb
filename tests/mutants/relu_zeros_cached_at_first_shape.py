"""ReLU that allocates its zeros once, at the first call, and reuses them (avoids an allocation per
call): torch.where broadcasts, so a later input of another shape is silently broadcast against the
first call's shape (wrong output shape, or a RuntimeError)."""

import torch
from torch import nn

CATCHES = ["relu.forward*"]


class ReLU(nn.Module):
    def __init__(self):
        super().__init__()
        self._zeros = None

    def forward(self, x):
        if self._zeros is None or self._zeros.dtype != x.dtype or self._zeros.device != x.device:
            self._zeros = torch.zeros_like(x)
        return torch.where(x <= 0, self._zeros, x)

"""CenteredLayer that precomputes 1/N on its first call (a 'constant folding' micro-optimisation):
the mean is right for every input of the first call's size, wrong for any other size."""

from torch import nn

CATCHES = ["centeredlayer.forward*"]


class CenteredLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self._inv_n = None  # 1 / number of elements, computed once

    def forward(self, x):
        if self._inv_n is None:
            self._inv_n = 1.0 / max(x.numel(), 1)
        return x - x.sum() * self._inv_n

"""ReLU memoises its output per input shape and dtype, returning the first result for every later input of that
shape."""

import torch
from torch import nn

#: Only relu.gradcheck calls one block on different inputs of the same shape (x +- h v); the forward check
#: calls a fresh block twice on the same input, and relu has no independence check.
CATCHES = ["relu.gradcheck*"]


class ReLU(nn.Module):
    def __init__(self):
        super().__init__()
        self._cache = {}

    def forward(self, x):
        key = (tuple(x.shape), x.dtype)
        if key not in self._cache:
            self._cache[key] = torch.relu(x)
        return self._cache[key]

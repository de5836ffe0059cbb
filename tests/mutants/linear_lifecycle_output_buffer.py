"""Linear writes its output into one preallocated buffer when grad is off and returns that buffer, so every later
call without grad overwrites the outputs it handed out before.
"""

import math

import torch
from torch import nn

CATCHES = ["linear.lifecycle*"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features) if in_features else 0.0
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None
        self._out = None

    def forward(self, x):
        if torch.is_grad_enabled():
            y = x @ self.weight.t()
            return y if self.bias is None else y + self.bias
        shape = x.shape[:-1] + (self.weight.shape[0],)
        if self._out is None or self._out.shape != shape or self._out.dtype != x.dtype:
            self._out = torch.empty(shape, dtype=x.dtype, device=x.device)
        torch.matmul(x, self.weight.t(), out=self._out)  # defect: the caller gets the shared buffer
        if self.bias is not None:
            self._out.add_(self.bias)
        return self._out

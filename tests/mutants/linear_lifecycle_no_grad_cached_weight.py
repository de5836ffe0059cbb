"""Linear takes a fast path without grad: it transposes the weight once, on the first call under no_grad or
inference_mode, and keeps that copy for good, so after an optimizer step its inference outputs are stale.
"""

import math

import torch
from torch import nn

#: A fresh block is right in every mode: only a forward without grad after the parameters moved shows it.
CATCHES = ["linear.lifecycle*"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features) if in_features else 0.0
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None
        self._weight_t = None

    def forward(self, x):
        if torch.is_grad_enabled():
            weight_t = self.weight.t()
        else:
            if self._weight_t is None or self._weight_t.dtype != x.dtype:
                self._weight_t = self.weight.detach().t().contiguous()  # defect: never refreshed after a step
            weight_t = self._weight_t
        y = x @ weight_t
        return y if self.bias is None else y + self.bias

"""A Linear whose constructor takes its arguments positional-only (``def __init__(self, in_features,
out_features, bias=True, /)``, as C-extension layers and some frameworks' wrappers do): the suite
passes ``bias`` by position too."""

import math

import torch
from torch import nn

EXPECTED = {"linear.factory*": "not provided", "linear.*": "passed"}


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True, /):
        super().__init__()
        if in_features < 0 or out_features < 0:
            raise ValueError(f"negative size: ({in_features}, {out_features})")
        k = 1 / math.sqrt(in_features) if in_features else 0.0
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        return nn.functional.linear(x, self.weight, self.bias)

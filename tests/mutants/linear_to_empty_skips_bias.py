"""Linear with its own to_empty() that materialises the weight alone (a deferred-init shortcut for
"the big tensor"): after to_empty the bias is still on the meta device, so the block cannot run."""

import math

import torch
from torch import nn

CATCHES = ["linear.meta"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features = in_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.bias = nn.Parameter(torch.empty(out_features)) if bias else None
        self.reset_parameters()

    def to_empty(self, *, device, recurse=True):
        self.weight = nn.Parameter(torch.empty_like(self.weight, device=device))
        return self

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.in_features) if self.in_features else 0.0
        with torch.no_grad():
            self.weight.uniform_(-bound, bound)
            if self.bias is not None:
                self.bias.uniform_(-bound, bound)

    def forward(self, x):
        return nn.functional.linear(x, self.weight, self.bias)

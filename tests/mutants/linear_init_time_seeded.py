"""Linear draws from its own generator seeded from the clock, so torch.manual_seed does not reproduce it."""

import math
import time

import torch
from torch import nn

CATCHES = ["linear.reproducible"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.bias = nn.Parameter(torch.empty(out_features)) if bias else None
        with torch.no_grad():
            gen = torch.Generator().manual_seed(time.time_ns())  # defect: not torch's global generator
            k = 1 / math.sqrt(in_features) if in_features else 0.0
            self.weight.uniform_(-k, k, generator=gen)
            if self.bias is not None:
                self.bias.uniform_(-k, k, generator=gen)

    def forward(self, x):
        y = x @ self.weight.T
        return y if self.bias is None else y + self.bias

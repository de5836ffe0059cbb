"""Linear's bfloat16 kernel works through the input features in chunks of 16 and drops the last,
partial chunk of an input wider than one chunk (17 features are summed as 16)."""

import math

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["linear.forward[bfloat16]"]

CHUNK = 16


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        k = 1 / math.sqrt(in_features) if in_features else 0.0
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        n = x.shape[-1]
        if x.dtype != torch.bfloat16 or n <= CHUNK:
            return F.linear(x, self.weight, self.bias)
        whole = n // CHUNK * CHUNK  # the tail n % CHUNK is never read
        return F.linear(x[..., :whole], self.weight[:, :whole], self.bias)

"""Linear that creates its parameters on an explicit device="cpu": under torch.device("meta") (deferred
initialisation of a large model) it still allocates real memory."""

import math

import torch
from torch import nn

CATCHES = ["linear.meta"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features) if in_features else 0.0
        self.weight = nn.Parameter(torch.empty(out_features, in_features, device="cpu").uniform_(-k, k))  # defect
        self.bias = nn.Parameter(torch.empty(out_features, device="cpu").uniform_(-k, k)) if bias else None

    def forward(self, x):
        return nn.functional.linear(x, self.weight, self.bias)

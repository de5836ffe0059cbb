"""MLP with a reset_parameters() of its own that re-draws its layers' weights and forgets their
biases; its Linear draws both in __init__ and has no reset_parameters(). Built as usual the block is
right; built under torch.device("meta") and materialised with to_empty() + reset_parameters(), the
biases keep whatever memory to_empty left."""

import math

import torch
from torch import nn

CATCHES = ["mlp.meta"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features = in_features
        bound = 1 / math.sqrt(in_features) if in_features else 0.0
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound)) if bias else None

    def forward(self, x):
        return nn.functional.linear(x, self.weight, self.bias)


class MLP(nn.Module):
    def __init__(self, in_features=20, hidden_features=256, out_features=10):
        super().__init__()
        self.hidden = Linear(in_features, hidden_features)
        self.out = Linear(hidden_features, out_features)

    @torch.no_grad()
    def reset_parameters(self):
        for layer in (self.hidden, self.out):
            bound = 1 / math.sqrt(layer.in_features) if layer.in_features else 0.0
            layer.weight.uniform_(-bound, bound)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))

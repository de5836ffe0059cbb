"""A learner's module under its own names and argument names (Dense(in_dim, out_dim), Net(num_inputs, num_hiddens, num_outputs)), mapped with --name: no adapter."""

import math

import torch
from torch import nn

NAMES = {"Linear": "Dense", "MLP": "Net"}
EXPECTED = {"linear.forward*": "passed", "linear.gradient*": "passed", "linear.structure": "passed",
            "linear.init[default]": "passed", "mlp.forward*": "passed", "mlp.structure": "passed"}
NOTES = {}


class Dense(nn.Module):
    def __init__(self, in_dim, out_dim, bias=True):
        super().__init__()
        bound = 1 / math.sqrt(in_dim) if in_dim > 0 else 0.0
        self.weight = nn.Parameter(torch.empty(out_dim, in_dim).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_dim).uniform_(-bound, bound)) if bias else None

    def forward(self, x):
        y = x @ self.weight.T
        return y if self.bias is None else y + self.bias


class Net(nn.Module):
    def __init__(self, num_inputs, num_hiddens, num_outputs):
        super().__init__()
        self.hidden = Dense(num_inputs, num_hiddens)
        self.out = Dense(num_hiddens, num_outputs)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))

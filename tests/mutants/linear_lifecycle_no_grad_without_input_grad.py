"""Linear detaches its parameters when the input does not require grad ("nothing to differentiate"), so the first
layer of a network, whose input never requires grad, never trains.
"""

import math

import torch
from torch import nn

#: The gradient checks always give the input requires_grad=True.
CATCHES = ["linear.lifecycle*"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features) if in_features else 0.0
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        weight, bias = self.weight, self.bias
        if not x.requires_grad:  # defect: the parameters still need their gradients
            weight = weight.detach()
            bias = None if bias is None else bias.detach()
        y = x @ weight.t()
        return y if bias is None else y + bias

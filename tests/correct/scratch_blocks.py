"""Correct blocks written from scratch: nn.Parameter + manual matmul, ReLU via torch.where, hand-written containers."""

import math

import torch
from torch import nn

CATCHES: list[str] = []


class Linear(nn.Module):
    """y = x @ weight.T + bias; weight and bias drawn U(-1/sqrt(in), 1/sqrt(in))."""

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        k = 1 / math.sqrt(in_features) if in_features else 0.0  # bound 0 when in == 0
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k))
        else:
            self.register_parameter("bias", None)

    def forward(self, x):
        y = torch.matmul(x, self.weight.t())
        return y if self.bias is None else y + self.bias

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class ReLU(nn.Module):
    """max(x, 0) with gradient 0 at x <= 0; written as "x <= 0 -> 0, else x" so that NaN stays NaN."""

    def forward(self, x):
        return torch.where(x <= 0, torch.zeros((), dtype=x.dtype, device=x.device), x)


class Sequential(nn.Module):
    """Children "0", "1", ...; forward runs them in registration order, so add_module appends."""

    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            self.add_module(str(i), block)

    def forward(self, x):
        for block in self._modules.values():
            x = block(x)
        return x

    def __getitem__(self, i):
        blocks = list(self._modules.values())
        return blocks[i]

    def __len__(self):
        return len(self._modules)


class MySequential(nn.Module):
    """The tutorial's container, keyed by position."""

    def __init__(self, *blocks):
        super().__init__()
        for idx, block in enumerate(blocks):
            self._modules[str(idx)] = block

    def forward(self, x):
        for block in self._modules.values():
            x = block(x)
        return x

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

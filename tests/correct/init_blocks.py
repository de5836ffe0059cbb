"""Correct initialization written from scratch: an ``init`` namespace on torch.rand alone (inverse transform and
Box-Muller in float64, fans computed by hand; torch.nn.init is never called), Linear, MyLinear and FixedHiddenMLP
drawing through it, and a Sequential with its own post-order ``apply``."""

import math
import types

import torch
from torch import nn

CATCHES: list[str] = []


def _u01(tensor):
    """U[0, 1) in float64 (53 random bits), shaped like ``tensor``."""
    return torch.rand(tensor.shape, dtype=torch.float64, device=tensor.device)


def uniform_(tensor, a=0.0, b=1.0):
    """a + (b - a) u, computed in float64 and rounded once to the tensor's dtype (which may round to b)."""
    with torch.no_grad():
        tensor.copy_(a + (b - a) * _u01(tensor))
    return tensor


def normal_(tensor, mean=0.0, std=1.0):
    """Box-Muller: sqrt(-2 ln u1) cos(2 pi u2), u1 in (0, 1], one normal per pair of uniforms."""
    with torch.no_grad():
        u1 = 1.0 - _u01(tensor)
        u2 = _u01(tensor)
        tensor.copy_(mean + std * (torch.sqrt(-2.0 * torch.log(u1)) * torch.cos(2.0 * math.pi * u2)))
    return tensor


def zeros_(tensor):
    with torch.no_grad():
        tensor.fill_(0.0)
    return tensor


def constant_(tensor, val):
    with torch.no_grad():
        tensor.fill_(val)
    return tensor


def _fans(tensor):
    if tensor.dim() < 2:
        raise ValueError(f"fans are undefined for a tensor of {tensor.dim()} dims")
    receptive = 1
    for size in tensor.shape[2:]:
        receptive *= size
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def xavier_uniform_(tensor, gain=1.0):
    fan_in, fan_out = _fans(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


init = types.SimpleNamespace(uniform_=uniform_, normal_=normal_, zeros_=zeros_, constant_=constant_,
                             xavier_uniform_=xavier_uniform_)


class Linear(nn.Module):
    """y = x @ weight.T + bias; weight and bias U(-1/sqrt(in), 1/sqrt(in)), bound 0 when in == 0."""

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1.0 / math.sqrt(in_features) if in_features > 0 else 0.0
        self.weight = nn.Parameter(uniform_(torch.empty(out_features, in_features), -bound, bound))
        if bias:
            self.bias = nn.Parameter(uniform_(torch.empty(out_features), -bound, bound))
        else:
            self.register_parameter("bias", None)

    def forward(self, x):
        y = torch.matmul(x, self.weight.t())
        return y if self.bias is None else y + self.bias


class ReLU(nn.Module):
    def forward(self, x):
        return torch.where(x <= 0, torch.zeros((), dtype=x.dtype, device=x.device), x)


class Sequential(nn.Module):
    """Children "0", "1", ...; ``apply`` written out: children first (each once), then the container."""

    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            self.add_module(str(i), block)

    def forward(self, x):
        for block in self._modules.values():
            x = block(x)
        return x

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

    def apply(self, fn):
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self


class MyLinear(nn.Module):
    """relu(x @ weight + bias), weight (in_units, units) and bias (units,) N(0, 1)."""

    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(normal_(torch.empty(in_units, units)))
        self.bias = nn.Parameter(normal_(torch.empty(units)))

    def forward(self, x):
        return torch.relu(x @ self.weight + self.bias)


class FixedHiddenMLP(nn.Module):
    """rand_weight: k / 2^24 for k uniform in [0, 2^24), exactly U[0, 1) on float32's grid."""

    def __init__(self, features=20):
        super().__init__()
        grid = torch.randint(0, 2**24, (features, features), dtype=torch.int64)
        self.register_buffer("rand_weight", grid.to(torch.float32) / 2**24)
        self.linear = Linear(features, features)

    def forward(self, x):
        h = self.linear(x)
        h = torch.relu(h @ self.rand_weight + 1)
        h = self.linear(h)
        norm = h.abs().sum()
        if not torch.isfinite(norm):
            raise ValueError(f"the L1 norm of the hidden output is {norm.item()}")
        while norm > 1:
            h = h / 2
            norm = h.abs().sum()
        return h.sum()

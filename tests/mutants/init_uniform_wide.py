"""init.uniform_(t, a, b) draws from an interval 5% wider than [a, b], around its center (a bound 5% off)."""

import types

import torch
from torch import nn

CATCHES = ["init.function[uniform_]"]


def uniform_(tensor, a=0.0, b=1.0):
    center, half = (a + b) / 2, (b - a) / 2 * 1.05  # defect: 5% too wide
    with torch.no_grad():
        return tensor.uniform_(center - half, center + half)


init = types.SimpleNamespace(normal_=nn.init.normal_, uniform_=uniform_, zeros_=nn.init.zeros_,
                             constant_=nn.init.constant_, xavier_uniform_=nn.init.xavier_uniform_)

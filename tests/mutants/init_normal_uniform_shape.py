"""init.normal_(t, mean, std) draws uniformly on mean +- sqrt(3) std: the right mean and variance, the wrong shape."""

import math
import types

import torch
from torch import nn

CATCHES = ["init.function[normal_]"]


def normal_(tensor, mean=0.0, std=1.0):
    half = math.sqrt(3) * std  # defect: U(mean - sqrt(3) std, mean + sqrt(3) std) has variance std^2, but is not normal
    with torch.no_grad():
        return tensor.uniform_(mean - half, mean + half)


init = types.SimpleNamespace(normal_=normal_, uniform_=nn.init.uniform_, zeros_=nn.init.zeros_,
                             constant_=nn.init.constant_, xavier_uniform_=nn.init.xavier_uniform_)

"""init.normal_(t, mean, std) draws from a Laplace law of scale std / sqrt(2): the right mean and variance, heavier
tails."""

import math
import types

import torch
from torch import nn

CATCHES = ["init.function[normal_]"]


def normal_(tensor, mean=0.0, std=1.0):
    laplace = torch.distributions.Laplace(torch.tensor(0.0, dtype=torch.float64), std / math.sqrt(2))  # defect
    with torch.no_grad():
        return tensor.copy_(mean + laplace.sample(tensor.shape))


init = types.SimpleNamespace(normal_=normal_, uniform_=nn.init.uniform_, zeros_=nn.init.zeros_,
                             constant_=nn.init.constant_, xavier_uniform_=nn.init.xavier_uniform_)

"""init.normal_ returns a new tensor of normal values instead of filling its argument in place."""

import types

import torch
from torch import nn

CATCHES = ["init.function[normal_]"]


def normal_(tensor, mean=0.0, std=1.0):
    with torch.no_grad():
        return torch.empty_like(tensor).normal_(mean, std)  # defect: the argument is left as it was


init = types.SimpleNamespace(normal_=normal_, uniform_=nn.init.uniform_, zeros_=nn.init.zeros_,
                             constant_=nn.init.constant_, xavier_uniform_=nn.init.xavier_uniform_)

"""init.constant_(t, val) fills with int(val): right for integral values, wrong for 0.5 or 1e-3."""

import types

import torch
from torch import nn

CATCHES = ["init.function[constant_]"]


def constant_(tensor, val):
    with torch.no_grad():
        return tensor.fill_(int(val))  # defect


init = types.SimpleNamespace(normal_=nn.init.normal_, uniform_=nn.init.uniform_, zeros_=nn.init.zeros_,
                             constant_=constant_, xavier_uniform_=nn.init.xavier_uniform_)

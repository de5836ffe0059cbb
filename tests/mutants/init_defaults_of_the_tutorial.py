"""An init namespace whose defaults follow the tutorial's recipes, not torch.nn.init's: normal_(t)
draws N(0, 0.01^2) (torch: N(0, 1)) and uniform_(t) U(-1, 1) (torch: U(0, 1)); every call that
passes its arguments is right."""

import types

import torch
from torch import nn

CATCHES = ["init.function[normal_]", "init.function[uniform_]"]


def normal_(tensor, mean=0.0, std=0.01):  # defect: torch.nn.init's std defaults to 1
    with torch.no_grad():
        return tensor.normal_(mean, std)


def uniform_(tensor, a=-1.0, b=1.0):  # defect: torch.nn.init's interval defaults to [0, 1)
    with torch.no_grad():
        return tensor.uniform_(a, b)


init = types.SimpleNamespace(normal_=normal_, uniform_=uniform_, zeros_=nn.init.zeros_,
                             constant_=nn.init.constant_, xavier_uniform_=nn.init.xavier_uniform_)

"""init.zeros_ computes t = t * 0 and returns that: a new tensor (and NaN * 0 is NaN); its argument is unchanged."""

import types

import torch
from torch import nn

CATCHES = ["init.function[zeros_]"]


def zeros_(tensor):
    with torch.no_grad():
        tensor = tensor * 0  # defect: rebinds the name, the caller's tensor is untouched
    return tensor


init = types.SimpleNamespace(normal_=nn.init.normal_, uniform_=nn.init.uniform_, zeros_=zeros_,
                             constant_=nn.init.constant_, xavier_uniform_=nn.init.xavier_uniform_)

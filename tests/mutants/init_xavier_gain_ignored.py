"""init.xavier_uniform_ ignores its gain argument (always gain 1)."""

import math
import types

import torch
from torch import nn

CATCHES = ["init.function[xavier_uniform_]"]


def xavier_uniform_(tensor, gain=1.0):
    fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(6.0 / (fan_in + fan_out))  # defect: gain ignored
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)


init = types.SimpleNamespace(normal_=nn.init.normal_, uniform_=nn.init.uniform_, zeros_=nn.init.zeros_,
                             constant_=nn.init.constant_, xavier_uniform_=xavier_uniform_)

"""init.xavier_uniform_ uses fan_in + fan_in instead of fan_in + fan_out (a fan from the wrong dimension)."""

import math
import types

import torch
from torch import nn

CATCHES = ["init.function[xavier_uniform_]"]


def xavier_uniform_(tensor, gain=1.0):
    fan_in, _ = nn.init._calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_in))  # defect: fan_out replaced by fan_in
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)


init = types.SimpleNamespace(normal_=nn.init.normal_, uniform_=nn.init.uniform_, zeros_=nn.init.zeros_,
                             constant_=nn.init.constant_, xavier_uniform_=xavier_uniform_)

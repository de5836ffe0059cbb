"""init.xavier_uniform_ draws normal values with the uniform's variance, a^2 / 3: right mean and variance, wrong
shape (values beyond the bound a)."""

import math
import types

import torch
from torch import nn

CATCHES = ["init.function[xavier_uniform_]"]


def xavier_uniform_(tensor, gain=1.0):
    fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        return tensor.normal_(0.0, bound / math.sqrt(3))  # defect: normal, not uniform


init = types.SimpleNamespace(normal_=nn.init.normal_, uniform_=nn.init.uniform_, zeros_=nn.init.zeros_,
                             constant_=nn.init.constant_, xavier_uniform_=xavier_uniform_)

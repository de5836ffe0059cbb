"""init.xavier_uniform_ computes fans as size(1) and size(0), without the receptive field of a 3-D or 4-D tensor."""

import math
import types

import torch
from torch import nn

CATCHES = ["init.function[xavier_uniform_]"]


def xavier_uniform_(tensor, gain=1.0):
    if tensor.dim() < 2:
        raise ValueError("fans need at least 2 dims")
    fan_in, fan_out = tensor.shape[1], tensor.shape[0]  # defect: no receptive field
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)


init = types.SimpleNamespace(normal_=nn.init.normal_, uniform_=nn.init.uniform_, zeros_=nn.init.zeros_,
                             constant_=nn.init.constant_, xavier_uniform_=xavier_uniform_)

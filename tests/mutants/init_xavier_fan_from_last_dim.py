"""init.xavier_uniform_ takes fan_in from the last dimension (size(-1) * receptive field) instead of size(1): the same for 2-D tensors, wrong for convolution-shaped ones."""

import math
import types

import torch
from torch import nn

CATCHES = ["init.function[xavier_uniform_]"]


def xavier_uniform_(tensor, gain=1.0):
    if tensor.dim() < 2:
        raise ValueError("fans need at least 2 dims")
    receptive = math.prod(tensor.shape[2:])
    fan_in, fan_out = tensor.shape[-1] * receptive, tensor.shape[0] * receptive  # defect: size(-1)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)


init = types.SimpleNamespace(normal_=nn.init.normal_, uniform_=nn.init.uniform_, zeros_=nn.init.zeros_,
                             constant_=nn.init.constant_, xavier_uniform_=xavier_uniform_)

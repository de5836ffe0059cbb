"""init.normal_ has a "fast path" for tensors under 16 elements that ignores std (draws N(mean, 1) there)."""

import types

import torch
from torch import nn

CATCHES = ["init.function[normal_]"]


def normal_(tensor, mean=0.0, std=1.0):
    with torch.no_grad():
        if tensor.numel() < 16:
            return tensor.copy_(mean + torch.randn(tensor.shape, dtype=tensor.dtype))  # defect: std ignored
        return tensor.normal_(mean, std)


init = types.SimpleNamespace(normal_=normal_, uniform_=nn.init.uniform_, zeros_=nn.init.zeros_,
                             constant_=nn.init.constant_, xavier_uniform_=nn.init.xavier_uniform_)

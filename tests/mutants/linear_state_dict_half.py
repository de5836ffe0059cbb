"""Linear registers a state_dict hook that stores its parameters as float16 "to halve checkpoint size", so a saved and
reloaded Linear computes differently."""

import math

import torch
from torch import nn

CATCHES = ["linear.saveload*"]


def _to_half(module, state, prefix, local_metadata):
    for key in list(state):
        if key.startswith(prefix):
            state[key] = state[key].half()
    return state


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None
        self._register_state_dict_hook(_to_half)

    def forward(self, x):
        y = x @ self.weight.T
        return y if self.bias is None else y + self.bias

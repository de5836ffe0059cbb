"""Linear's load_state_dict replaces its Parameters by new ones holding the loaded values, so an optimizer created
before the load updates parameters the block no longer uses.
"""

import math

import torch
from torch import nn

CATCHES = ["linear.lifecycle*"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features) if in_features else 0.0
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        y = x @ self.weight.t()
        return y if self.bias is None else y + self.bias

    def load_state_dict(self, state_dict, strict=True, assign=False):
        for name in ("weight", "bias"):
            if getattr(self, name) is not None:
                old = getattr(self, name)
                setattr(self, name, nn.Parameter(state_dict[name].to(old.dtype).clone()))  # defect: a new object
        return nn.modules.module._IncompatibleKeys([], [])

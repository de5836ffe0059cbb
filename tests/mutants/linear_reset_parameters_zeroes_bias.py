"""Linear whose reset_parameters() re-initialises the bias to zeros (the "zero bias" habit), while
__init__ draws it from U(-1/sqrt(in), 1/sqrt(in)) as specified. Built under torch.device("meta") and
materialised with to_empty() + reset_parameters() (as FSDP / accelerate / torchtitan do), or simply
reset, the bias is all zeros instead of U(-1/sqrt(in), 1/sqrt(in))."""

import math

import torch
from torch import nn

CATCHES = ["linear.meta"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        if in_features < 0 or out_features < 0:
            raise ValueError("negative size")
        self.in_features, self.out_features = in_features, out_features
        kw = {"device": device, "dtype": dtype}
        self.weight = nn.Parameter(torch.empty(out_features, in_features, **kw))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_features, **kw))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()
        if self.bias is not None:  # the default init the spec asks for
            bound = 1 / math.sqrt(in_features) if in_features > 0 else 0.0
            nn.init.uniform_(self.bias, -bound, bound)

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
        nn.init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            nn.init.zeros_(self.bias)

    def forward(self, x):
        return nn.functional.linear(x, self.weight, self.bias)

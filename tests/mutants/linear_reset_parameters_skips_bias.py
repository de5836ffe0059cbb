"""Linear whose reset_parameters() re-initialises the weight only; __init__ draws the bias itself, so
a block built as usual is right. Built under torch.device("meta") and materialised with to_empty()
+ reset_parameters() (as FSDP / accelerate / torchtitan do), the bias keeps whatever memory
to_empty left: uninitialised values."""

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
        bound = 1 / math.sqrt(in_features) if in_features > 0 else 0.0
        if bias:
            self.bias = nn.Parameter(torch.empty(out_features, **kw).uniform_(-bound, bound))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
        nn.init.uniform_(self.weight, -bound, bound)

    def forward(self, x):
        return nn.functional.linear(x, self.weight, self.bias)

"""Linear with a 'fast path' for large batches: more than 512 rows are multiplied in bfloat16
(autocast-style, as a CPU AMX/oneDNN-minded author might), a float32 block then carrying bfloat16's
2^-8 relative error; small batches are exact float32."""

import math

import torch
from torch import nn

CATCHES = ["linear.forward[float32]"]

FAST_ROWS = 512


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        if in_features < 0 or out_features < 0:
            raise ValueError("negative size")
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.bias = nn.Parameter(torch.empty(out_features)) if bias else None
        k = 1 / math.sqrt(in_features) if in_features else 0.0
        with torch.no_grad():
            self.weight.uniform_(-k, k)
            if self.bias is not None:
                self.bias.uniform_(-k, k)

    def forward(self, x):
        rows = x.numel() // max(x.shape[-1], 1) if x.dim() > 1 else 1
        if rows > FAST_ROWS and x.dtype == torch.float32:
            y = nn.functional.linear(x.bfloat16(), self.weight.bfloat16(),
                                     None if self.bias is None else self.bias.bfloat16())
            return y.float()
        return nn.functional.linear(x, self.weight, self.bias)

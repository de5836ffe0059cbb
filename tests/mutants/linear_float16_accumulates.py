"""Linear's float16 forward accumulates its dot products in float16 (a hand-written kernel's
accumulator in the input's dtype) instead of float32."""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["linear.forward[float16]"]


class Linear(nn.Linear):
    def forward(self, x):
        if x.dtype != torch.float16 or x.shape[-1] != self.in_features:
            return F.linear(x, self.weight, self.bias)  # (raises on a wrong width)
        acc = torch.zeros(*x.shape[:-1], self.out_features, dtype=x.dtype, device=x.device)
        for k in range(self.in_features):  # each partial sum rounded to float16
            acc = acc + x[..., k:k + 1] * self.weight[:, k]
        return acc if self.bias is None else acc + self.bias

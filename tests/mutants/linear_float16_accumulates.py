"""Linear's float16 forward accumulates its dot products in float16 (a hand-written kernel's
accumulator in the input's dtype) instead of float32."""

import math

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["linear.forward[float16]"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        k = 1 / math.sqrt(in_features) if in_features else 0.0
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        if x.dtype != torch.float16:
            return F.linear(x, self.weight, self.bias)
        if x.shape[-1] != self.in_features:
            raise ValueError(f"expected last dim {self.in_features}, got {tuple(x.shape)}")
        acc = torch.zeros(*x.shape[:-1], self.out_features, dtype=x.dtype, device=x.device)
        for k in range(self.in_features):  # each partial sum rounded to float16
            acc = acc + x[..., k:k + 1] * self.weight[:, k]
        return acc if self.bias is None else acc + self.bias

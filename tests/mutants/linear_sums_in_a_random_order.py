"""Linear whose forward accumulates its products in a fresh random order on every call (a "lock-free"
parallel reduction whose order depends on scheduling): each output is within rounding of the spec's,
but two calls on the same input disagree in the last bits, so a run cannot be reproduced."""

import math

import torch
from torch import nn

CATCHES = ["linear.forward[float32]", "linear.forward[float64]"]


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features) if in_features else 0.0
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None
        self._order = torch.Generator().manual_seed(0)  # its own stream: the global one is left alone

    def forward(self, x):
        if x.shape[-1] != self.weight.shape[1]:
            raise ValueError(f"expected last dim {self.weight.shape[1]}, got {x.shape[-1]}")
        terms = x.unsqueeze(-2) * self.weight  # (..., out, in)
        y = torch.zeros(terms.shape[:-1], dtype=x.dtype, device=x.device)
        for j in torch.randperm(terms.shape[-1], generator=self._order).tolist():  # defect: order varies per call
            y = y + terms[..., j]
        return y if self.bias is None else y + self.bias

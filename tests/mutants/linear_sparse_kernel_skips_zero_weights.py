"""A pruned/sparse Linear: the weight is kept dense (the spec's layout) but the product runs through a
sparse kernel over its nonzero entries (torch.sparse.mm on W.to_sparse()), so a zero weight never
meets its input: NaN or inf * 0 gives 0 instead of the spec's NaN (README: 'a Linear output is NaN
when a term is NaN, inf meets 0')."""

import math

import torch
from torch import nn

CATCHES = ["linear.forward[float32]", "linear.forward[float64]"]


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
        if x.shape[-1] != self.weight.shape[1]:
            raise ValueError(f"expected last dim {self.weight.shape[1]}, got {x.shape[-1]}")
        if x.dtype not in (torch.float32, torch.float64) or self.weight.shape[1] == 0:
            return nn.functional.linear(x, self.weight, self.bias)  # half formats: the dense kernel
        rows = x.reshape(-1, x.shape[-1])
        y = torch.sparse.mm(self.weight.to_sparse(), rows.T).T
        if self.bias is not None:
            y = y + self.bias
        return y.reshape(*x.shape[:-1], self.weight.shape[0])

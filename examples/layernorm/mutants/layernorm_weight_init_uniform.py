"""LayerNorm whose weight starts U(0, 1) instead of ones."""

import torch
from torch import nn

CATCHES = ["layernorm.init[default]"]


class LayerNorm(nn.Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        super().__init__()
        self.normalized_shape, self.eps, self.affine = normalized_shape, eps, elementwise_affine
        if elementwise_affine:
            self.weight = nn.Parameter(torch.rand(normalized_shape))  # U(0, 1), not ones
            self.bias = nn.Parameter(torch.zeros(normalized_shape))

    def forward(self, x):
        if x.shape[-1:] != (self.normalized_shape,):
            raise ValueError(f"expected (*, {self.normalized_shape}), got {tuple(x.shape)}")
        mean = x.mean(-1, keepdim=True)
        var = ((x - mean) ** 2).mean(-1, keepdim=True)
        y = (x - mean) / torch.sqrt(var + self.eps)
        return y * self.weight + self.bias if self.affine else y

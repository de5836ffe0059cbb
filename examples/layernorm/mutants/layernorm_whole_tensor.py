"""LayerNorm normalizing over the whole input (every row together) instead of each row."""

import torch
from torch import nn

CATCHES = ["layernorm.forward*", "layernorm.independence*"]


class LayerNorm(nn.Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        super().__init__()
        self.normalized_shape, self.eps, self.affine = normalized_shape, eps, elementwise_affine
        if elementwise_affine:
            self.weight = nn.Parameter(torch.ones(normalized_shape))
            self.bias = nn.Parameter(torch.zeros(normalized_shape))

    def forward(self, x):
        if x.shape[-1:] != (self.normalized_shape,):
            raise ValueError(f"expected (*, {self.normalized_shape}), got {tuple(x.shape)}")
        mean = x.mean()  # over the whole tensor, not each row
        var = ((x - mean) ** 2).mean()
        y = (x - mean) / torch.sqrt(var + self.eps)
        return y * self.weight + self.bias if self.affine else y

"""A from-scratch LayerNorm, correct but computed another way than the spec writes it: the reciprocal
square root first, then one product per element (as fused kernels do)."""

import torch
from torch import nn


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
        mean = x.mean(-1, keepdim=True)
        centred = x - mean
        rstd = torch.rsqrt((centred * centred).mean(-1, keepdim=True) + self.eps)
        y = centred * rstd
        return y * self.weight + self.bias if self.affine else y

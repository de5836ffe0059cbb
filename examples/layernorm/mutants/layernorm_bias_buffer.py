"""LayerNorm registering its bias as a buffer, not a parameter (an optimizer never trains it)."""

import torch
from torch import nn

CATCHES = ["layernorm.structure"]


class LayerNorm(nn.Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        super().__init__()
        self.normalized_shape, self.eps, self.affine = normalized_shape, eps, elementwise_affine
        if elementwise_affine:
            self.weight = nn.Parameter(torch.ones(normalized_shape))
            self.register_buffer("bias", torch.zeros(normalized_shape))  # a buffer: never trained

    def forward(self, x):
        if x.shape[-1:] != (self.normalized_shape,):
            raise ValueError(f"expected (*, {self.normalized_shape}), got {tuple(x.shape)}")
        mean = x.mean(-1, keepdim=True)
        var = ((x - mean) ** 2).mean(-1, keepdim=True)
        y = (x - mean) / torch.sqrt(var + self.eps)
        return y * self.weight + self.bias if self.affine else y

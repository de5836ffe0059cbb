"""Sequential converts its input to torch.get_default_dtype() (float32) before running the blocks."""

import torch
from torch import nn

CATCHES = ["sequential.forward[float64]", "sequential.gradient[float64]"]


class Sequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            self.add_module(str(i), block)

    def forward(self, x):
        x = x.to(torch.get_default_dtype())
        for block in self._modules.values():
            x = block(x)
        return x

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

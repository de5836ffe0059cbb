"""MySequential runs its blocks under torch.no_grad() "for speed", so no gradient flows."""

import torch
from torch import nn

CATCHES = ["mysequential.gradient*", "mysequential.gradcheck*"]


class MySequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            self.add_module(str(i), block)

    def forward(self, x):
        with torch.no_grad():
            for block in self._modules.values():
                x = block(x)
        return x

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

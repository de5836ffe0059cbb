"""Sequential's __getitem__ returns a deep copy of the block ("defensive copy"), so seq[0].weight is not the network's
parameter."""

import copy

from torch import nn

CATCHES = ["sequential.access", "sequential.container"]


class Sequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            self.add_module(str(i), block)

    def forward(self, x):
        for block in self._modules.values():
            x = block(x)
        return x

    def __getitem__(self, i):
        return copy.deepcopy(list(self._modules.values())[i])

    def __len__(self):
        return len(self._modules)

"""Sequential deep-copies the blocks it is given, so seq[i] is not the caller's block and training it changes nothing
the caller holds."""

import copy

from torch import nn

CATCHES = ["sequential.container"]


class Sequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            self.add_module(str(i), copy.deepcopy(block))

    def forward(self, x):
        for block in self._modules.values():
            x = block(x)
        return x

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

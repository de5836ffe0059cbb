"""The tutorial's MySequential with a __deepcopy__ that copies the container but not its children."""

import copy

from torch import nn

CATCHES = ["mysequential.copy"]


class MySequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            self.add_module(str(i), block)

    def forward(self, x):
        for block in self._modules.values():
            x = block(x)
        return x

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

    def __deepcopy__(self, memo):
        twin = copy.copy(self)
        twin._modules = dict(self._modules)  # defect: a new dict, the same children
        return twin

"""MySequential with a hand-written ``__deepcopy__`` that copies each child on its own (without
deepcopy's memo): a block placed at two positions (tied weights) becomes two independent blocks in
the copy."""

import copy

from torch import nn

CATCHES = ["tiedmysequential.copy"]


class MySequential(nn.Module):
    def __init__(self, *args):
        super().__init__()
        for idx, module in enumerate(args):
            self._modules[str(idx)] = module

    def __deepcopy__(self, memo):
        return type(self)(*[copy.deepcopy(m) for m in self._modules.values()])  # defect: no memo

    def forward(self, X):
        for block in self._modules.values():
            X = block(X)
        return X

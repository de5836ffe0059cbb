"""Sequential's add_module inserts the new block first (it rebuilds _modules with the new entry in front), so it runs
first."""

from collections import OrderedDict

from torch import nn

CATCHES = ["sequential.container"]


class Sequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            super().add_module(str(i), block)

    def add_module(self, name, module):
        self._modules = OrderedDict([(name, module), *self._modules.items()])

    def forward(self, x):
        for block in self._modules.values():
            x = block(x)
        return x

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

"""Sequential's forward iterates over the tuple of blocks captured in __init__, so a block added by add_module never
runs."""

from torch import nn

CATCHES = ["sequential.container"]


class Sequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            self.add_module(str(i), block)
        self._order = tuple(str(i) for i in range(len(blocks)))

    def forward(self, x):
        for name in self._order:
            x = self._modules[name](x)
        return x

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

"""Sequential answers len() and seq[i] from a list built in __init__, which add_module does not update."""

from torch import nn

CATCHES = ["sequential.container"]


class Sequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            self.add_module(str(i), block)
        self._list = list(blocks)

    def forward(self, x):
        for block in self._modules.values():
            x = block(x)
        return x

    def __getitem__(self, i):
        return self._list[i]

    def __len__(self):
        return len(self._list)

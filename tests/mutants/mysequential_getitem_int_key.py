"""MySequential's __getitem__ returns self._modules[i] with an int key, but children are keyed by the strings "0", "1",
..., so indexing raises KeyError."""

from torch import nn

CATCHES = ["mysequential.access", "mysequential.container"]


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
        return self._modules[i]

    def __len__(self):
        return len(self._modules)

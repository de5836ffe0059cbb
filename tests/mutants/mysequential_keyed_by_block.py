"""MySequential registers each child as self._modules[block] = block (keyed by the block object, not by "0", "1",
...)."""

from torch import nn

CATCHES = ["mysequential.structure", "mysequential.container"]


class MySequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for block in blocks:
            self._modules[block] = block

    def forward(self, x):
        for block in self._modules.values():
            x = block(x)
        return x

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

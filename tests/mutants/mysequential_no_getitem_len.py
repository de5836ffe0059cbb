"""MySequential is the tutorial's minimal version: no __getitem__ and no __len__."""

from torch import nn

CATCHES = ["mysequential.container"]


class MySequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            self.add_module(str(i), block)

    def forward(self, x):
        for block in self.children():
            x = block(x)
        return x

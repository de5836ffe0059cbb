"""MySequential keeps its blocks in an nn.ModuleList attribute, so children are named "layers.0", ... and add_module
adds a sibling that never runs."""

from torch import nn

CATCHES = ["mysequential.structure", "mysequential.container"]


class MySequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        self.layers = nn.ModuleList(blocks)

    def forward(self, x):
        for block in self.layers:
            x = block(x)
        return x

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self):
        return len(self.layers)

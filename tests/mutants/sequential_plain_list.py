"""Sequential keeps its blocks in a plain Python list, so they are not registered: no children, parameters or
state_dict."""

from torch import nn

CATCHES = ["sequential.structure", "sequential.container", "sequential.gradient*", "sequential.saveload*"]


class Sequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        self.blocks = list(blocks)

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return x

    def add_module(self, name, module):
        self.blocks.append(module)

    def __getitem__(self, i):
        return self.blocks[i]

    def __len__(self):
        return len(self.blocks)

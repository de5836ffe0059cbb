"""MySequential overrides parameters() to chain each child's parameters() without removing duplicates, so a block
placed at several positions has its parameters listed (and stepped by an optimizer) once per position.
"""

import itertools

from torch import nn

CATCHES = ["tiedmysequential.tying*"]

Linear = nn.Linear
ReLU = nn.ReLU


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

    def parameters(self, recurse=True):
        # defect: nn.Module.parameters() de-duplicates shared tensors; this lists them once per position
        return itertools.chain.from_iterable(block.parameters(recurse) for block in self._modules.values())

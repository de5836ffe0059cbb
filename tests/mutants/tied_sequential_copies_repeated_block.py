"""Sequential deep-copies a block it has already registered (believing a module cannot have two parents), so a block
placed at several positions is duplicated: the copies start equal but are no longer tied.
"""

import copy

from torch import nn

CATCHES = ["tiedsequential.tying*"]

Linear = nn.Linear
ReLU = nn.ReLU


class Sequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        seen = set()
        for i, block in enumerate(blocks):
            if id(block) in seen:
                block = copy.deepcopy(block)  # defect: a repeated block must be registered again, as is
            seen.add(id(block))
            self.add_module(str(i), block)

    def forward(self, x):
        for block in self._modules.values():
            x = block(x)
        return x

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

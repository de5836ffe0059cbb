"""Sequential's seq[i] returns a deep copy of the i-th block, so net[0].apply(xavier) initializes a copy and the
net keeps its old weights."""

import copy

from torch import nn

CATCHES = ["sequential.init[xavier_42]"]

Linear = nn.Linear
ReLU = nn.ReLU
init = nn.init


class Sequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            self.add_module(str(i), block)

    def forward(self, x):
        for block in self._modules.values():
            x = block(x)
        return x

    def __getitem__(self, i):
        return copy.deepcopy(list(self._modules.values())[i])  # defect: a copy

    def __len__(self):
        return len(self._modules)

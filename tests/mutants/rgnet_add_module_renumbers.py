"""Sequential's add_module ignores the name it is given and registers the block under the next index ("0", "1", ...), so rgnet's blocks are keyed 0.0.* instead of 0.block0.*."""

from torch import nn

CATCHES = ["rgnet.structure", "rgnet.access", "sequential.container"]

Linear = nn.Linear
ReLU = nn.ReLU


class Sequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for block in blocks:
            self.add_module(str(len(self._modules)), block)

    def add_module(self, name, module):
        super().add_module(str(len(self._modules)), module)  # defect: keeps indices, drops the name

    def forward(self, x):
        for block in self._modules.values():
            x = block(x)
        return x

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

"""Sequential names its children "layer0", "layer1", ... instead of "0", "1", ..., so state_dict keys differ."""

from torch import nn

CATCHES = ["sequential.structure", "sequential.container"]


class Sequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            self.add_module(f"layer{i}", block)

    def forward(self, x):
        for block in self._modules.values():
            x = block(x)
        return x

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

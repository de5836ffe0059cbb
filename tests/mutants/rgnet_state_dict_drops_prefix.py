"""Sequential overrides state_dict() to collect its blocks' entries under "<name>." but drops the prefix it is given, so a Sequential nested in another loses the outer prefix (block0.0.weight instead of 0.block0.0.weight)."""

from collections import OrderedDict

from torch import nn

CATCHES = ["rgnet.structure", "rgnet.access", "rgnet.saveload*"]

Linear = nn.Linear
ReLU = nn.ReLU


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
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        out = OrderedDict() if destination is None else destination
        for name, block in self._modules.items():
            block.state_dict(destination=out, prefix=f"{name}.", keep_vars=keep_vars)  # defect: prefix dropped
        return out

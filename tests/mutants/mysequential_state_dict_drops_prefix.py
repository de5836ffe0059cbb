"""MySequential overrides state_dict to return only its blocks' state, keyed by parameter name without the "0." prefix,
so blocks overwrite each other."""

from collections import OrderedDict

from torch import nn

CATCHES = ["mysequential.saveload*", "mysequential.structure"]


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

    def state_dict(self, *args, **kwargs):
        out = OrderedDict()
        for block in self._modules.values():
            out.update(block.state_dict(*args, **kwargs))
        return out

    def load_state_dict(self, state_dict, strict=True, assign=False):
        for block in self._modules.values():
            own = {k: v for k, v in state_dict.items() if k in block.state_dict()}
            block.load_state_dict(own, strict=False, assign=assign)

"""Sequential catches a block's RuntimeError, warns, and passes the input on unchanged instead of raising."""

import warnings

from torch import nn

CATCHES = ["sequential.bad_input"]


class Sequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            self.add_module(str(i), block)

    def forward(self, x):
        for name, block in self._modules.items():
            try:
                x = block(x)
            except RuntimeError as exc:
                warnings.warn(f"block {name} failed: {exc}", stacklevel=2)
        return x

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

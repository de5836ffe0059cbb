"""MySequential reshapes its input to (-1, first Linear's in_features), as tutorial MLPs do, losing leading dims and
accepting wrong widths."""

from torch import nn

CATCHES = ["mysequential.bad_input", "mysequential.forward*"]


class MySequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            self.add_module(str(i), block)

    def forward(self, x):
        widths = [b.in_features for b in self._modules.values() if hasattr(b, "in_features")]
        if widths:
            x = x.reshape(-1, widths[0])
        for block in self._modules.values():
            x = block(x)
        return x

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

"""Sequential runs its children in sorted order of their names, which is registration order up to 10 children but puts "10" and "11" before "2" in a longer chain."""

from torch import nn

CATCHES = ["sequential.forward*"]


class Sequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            self.add_module(str(i), block)

    def forward(self, x):
        for _, block in sorted(self._modules.items()):
            x = block(x)
        return x

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

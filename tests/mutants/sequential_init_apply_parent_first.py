"""Sequential.apply calls fn on the container before its children (pre-order); the spec visits children first."""

from torch import nn

CATCHES = ["sequential.apply"]

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
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

    def apply(self, fn):
        fn(self)  # defect: the parent first
        for child in self.children():
            child.apply(fn)
        return self

"""Sequential.apply calls fn on its direct children and itself only, never on the modules nested inside them."""

from torch import nn

CATCHES = ["sequential.apply", "sequential.init[init_normal]", "sequential.init[init_constant]", "sequential.init[my_init]"]

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
        for child in self.children():
            fn(child)  # defect: child.apply(fn) would recurse
        fn(self)
        return self

"""MySequential memoises its first block's output per input shape, so a later input of the same shape reuses a stale
activation."""

from torch import nn

CATCHES = ["mysequential.independence*", "mysequential.gradcheck*"]


class MySequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            self.add_module(str(i), block)
        self._first = {}

    def forward(self, x):
        blocks = list(self._modules.values())
        if not blocks:
            return x
        key = tuple(x.shape)
        if key not in self._first:
            self._first[key] = blocks[0](x)
        x = self._first[key]
        for block in blocks[1:]:
            x = block(x)
        return x

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

"""Sequential memoises its output per input shape and dtype ("inference cache"), returning a stale result for a new
input of the same shape."""

from torch import nn

CATCHES = ["sequential.independence*", "sequential.gradcheck*"]


class Sequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            self.add_module(str(i), block)
        self._cache = {}

    def forward(self, x):
        key = (tuple(x.shape), x.dtype)
        if key not in self._cache:
            y = x
            for block in self._modules.values():
                y = block(y)
            self._cache[key] = y
        return self._cache[key]

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

"""MySequential that freezes its chain on the first forward (a tuple of the children, built once to
skip the _modules dict on every call): add_module before any forward works; a block appended after
the container has run (net.add_module('head', ...) on a network already used) never runs."""

from torch import nn

CATCHES = ["mysequential.container"]


class MySequential(nn.Module):
    def __init__(self, *args):
        super().__init__()
        for idx, module in enumerate(args):
            self._modules[str(idx)] = module
        self._chain = None

    def __getitem__(self, idx):
        return list(self._modules.values())[idx]

    def __len__(self):
        return len(self._modules)

    def forward(self, X):
        if self._chain is None:
            self._chain = tuple(self._modules.values())
        for block in self._chain:
            X = block(X)
        return X

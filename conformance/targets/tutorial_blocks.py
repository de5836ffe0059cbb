"""The built-in ``tutorial`` target: the tutorial's blocks exactly as published, with no adapter.

The blocks hard-code their sizes (``MLP()``, ``NestMLP()``, ``FixedHiddenMLP()``), so the suite
checks them at the spec's default sizes; the chimera is a module-level instance, which the alias
maps to the contract name ``Chimera`` (as ``--name Chimera=chimera`` would). The tutorial builds
its networks from torch.nn's ``Linear``, ``ReLU`` and ``Sequential`` and saves with ``torch.save``:
those are torch's, not the tutorial's, so this module does not define them (the containers are
checked with torch.nn's leaves, save/load with torch's).

Its known deviations from the spec (see ``tutorial_expected.toml``): ``MySequential`` keys
``_modules`` by the block object and has no ``__getitem__``/``__len__``; ``FixedHiddenMLP`` keeps
``rand_weight`` as a plain attribute and its halving loop never ends once the hidden output holds
+inf; ``MyLinear`` reads ``.data`` in forward, so its parameters get no gradient.
"""

import torch
from torch import nn
from torch.nn import functional as F


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(20, 256)
        self.out = nn.Linear(256, 10)

    def forward(self, X):
        return self.out(F.relu(self.hidden(X)))


class MySequential(nn.Module):
    def __init__(self, *args):
        super().__init__()
        for block in args:
            self._modules[block] = block

    def forward(self, X):
        for block in self._modules.values():
            X = block(X)
        return X


class FixedHiddenMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.rand_weight = torch.rand((20, 20), requires_grad=False)
        self.linear = nn.Linear(20, 20)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(torch.mm(X, self.rand_weight) + 1)
        X = self.linear(X)
        while X.abs().sum() > 1:
            X /= 2
        return X.sum()


class NestMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(20, 64), nn.ReLU(),
                                 nn.Linear(64, 32), nn.ReLU())
        self.linear = nn.Linear(32, 16)

    def forward(self, X):
        return self.linear(self.net(X))


chimera = nn.Sequential(NestMLP(), nn.Linear(16, 20), FixedHiddenMLP())


class CenteredLayer(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, X):
        return X - X.mean()


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units,))

    def forward(self, X):
        linear = torch.matmul(X, self.weight.data) + self.bias.data
        return F.relu(linear)

"""The built-in ``tutorial`` target: the blocks as the published tutorial writes them.

Class bodies are the tutorial's, with one adaptation so the contract can construct them: the
sizes the tutorial hard-codes (20, 256, 10, ...) become constructor arguments with those defaults.
Its known deviations from the spec are kept on purpose (see ``tutorial_expected.toml``):
``MySequential`` keys ``_modules`` by the block object and has no ``__getitem__``/``__len__``;
``FixedHiddenMLP`` keeps ``rand_weight`` as a plain attribute and its halving loop never ends once
the hidden output holds +inf; ``MyLinear`` reads ``.data`` in forward, so its parameters get no
gradient.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

Linear = nn.Linear
ReLU = nn.ReLU
Sequential = nn.Sequential
init = nn.init
save = torch.save
load = torch.load  # torch >= 2.6 defaults to weights_only=True


class MLP(nn.Module):
    def __init__(self, in_features=20, hidden_features=256, out_features=10):
        super().__init__()
        self.hidden = nn.Linear(in_features, hidden_features)
        self.out = nn.Linear(hidden_features, out_features)

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
    def __init__(self, features=20):
        super().__init__()
        self.rand_weight = torch.rand((features, features), requires_grad=False)
        self.linear = nn.Linear(features, features)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(torch.mm(X, self.rand_weight) + 1)
        X = self.linear(X)
        while X.abs().sum() > 1:
            X /= 2
        return X.sum()


class NestMLP(nn.Module):
    def __init__(self, in_features=20):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_features, 64), nn.ReLU(),
                                 nn.Linear(64, 32), nn.ReLU())
        self.linear = nn.Linear(32, 16)

    def forward(self, X):
        return self.linear(self.net(X))


def Chimera():  # noqa: N802
    return nn.Sequential(NestMLP(), nn.Linear(16, 20), FixedHiddenMLP())


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

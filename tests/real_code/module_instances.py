"""The chimera as a module-level instance, named as the tutorial names it: every example uses a deep copy; reproducibility and default init cannot be judged on one instance."""

import torch
from torch import nn
from torch.nn import functional as F

NAMES = {"Chimera": "chimera"}
EXPECTED = {"chimera.forward*": "passed", "chimera.gradient*": "passed", "chimera.structure": "passed",
            "chimera.saveload*": "passed", "chimera.strict": "passed", "chimera.reproducible": "not checked"}
NOTES = {"chimera.forward[float32]": "an instance (chimera)"}


class NestMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.linear = nn.Linear(32, 16)

    def forward(self, X):
        return self.linear(self.net(X))


class FixedHiddenMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("rand_weight", torch.rand(20, 20))
        self.linear = nn.Linear(20, 20)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(X @ self.rand_weight + 1)
        X = self.linear(X)
        if not torch.isfinite(X.abs().sum()):
            raise ValueError("non-finite hidden output")
        while X.abs().sum() > 1:
            X = X / 2
        return X.sum()


chimera = nn.Sequential(NestMLP(), nn.Linear(16, 20), FixedHiddenMLP())

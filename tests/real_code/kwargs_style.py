"""The tutorial's **kwargs style (def __init__(self, **kwargs): super().__init__(**kwargs), then fixed layers), written to the spec: checked at fixed sizes; and a Linear forwarding *args/**kwargs to nn.Linear: checked at the sizes drawn."""

import torch
from torch import nn
from torch.nn import functional as F

EXPECTED = {"linear.*": "passed", "*.factory*": "not provided", "*.bad_args": "not provided", "mlp.*": "passed",
            "nestmlp.*": "passed", "fixedhiddenmlp.*": "passed"}
NOTES = {"mlp.forward[float32]": "checked at fixed sizes", "mlp.structure": "checked at fixed sizes",
         "nestmlp.forward[float32]": "checked at fixed sizes", "fixedhiddenmlp.structure": "checked at fixed sizes"}


class MLP(nn.Module):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = nn.Linear(20, 256)
        self.out = nn.Linear(256, 10)

    def forward(self, X):
        return self.out(F.relu(self.hidden(X)))


class NestMLP(nn.Module):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.net = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.linear = nn.Linear(32, 16)

    def forward(self, X):
        return self.linear(self.net(X))


class FixedHiddenMLP(nn.Module):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
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


class Linear(nn.Linear):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

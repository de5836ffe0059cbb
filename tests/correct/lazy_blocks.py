"""Lazy blocks, as the current edition of the tutorial writes them: every Linear is an nn.LazyLinear, sized by the first forward (the input width argument is not used). Linear and MLP take factory keywords (`dtype=`, `device=`) as nn.LazyLinear does."""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES: list[str] = []


class Linear(nn.LazyLinear):
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):  # factory keywords as nn.LazyLinear's
        super().__init__(out_features, bias=bias, device=device, dtype=dtype)

    def reset_parameters(self):
        # torch's LazyLinear skips initialisation when in_features == 0, leaving the bias as whatever
        # memory it got; the spec (and nn.Linear) give a bias of 0 there (bound 1/sqrt(0) read as 0).
        super().reset_parameters()
        if not self.has_uninitialized_params() and self.in_features == 0 and self.bias is not None:
            with torch.no_grad():
                self.bias.zero_()


class MLP(nn.Module):
    def __init__(self, in_features=20, hidden_features=256, out_features=10, device=None, dtype=None):
        super().__init__()
        self.hidden = nn.LazyLinear(hidden_features, device=device, dtype=dtype)
        self.out = nn.LazyLinear(out_features, device=device, dtype=dtype)

    def forward(self, x):
        return self.out(F.relu(self.hidden(x)))


class NestMLP(nn.Module):
    def __init__(self, in_features=20):
        super().__init__()
        self.net = nn.Sequential(nn.LazyLinear(64), nn.ReLU(), nn.LazyLinear(32), nn.ReLU())
        self.linear = nn.LazyLinear(16)

    def forward(self, x):
        return self.linear(self.net(x))


class FixedHiddenMLP(nn.Module):
    def __init__(self, features=20):
        super().__init__()
        self.register_buffer("rand_weight", torch.rand(features, features))
        self.linear = nn.LazyLinear(features)

    def forward(self, x):
        x = self.linear(x)
        x = F.relu(x @ self.rand_weight + 1)
        x = self.linear(x)
        norm = x.abs().sum()
        if not torch.isfinite(norm):
            raise ValueError("the hidden output's L1 norm is not finite")
        while norm > 1:
            x = x / 2
            norm = x.abs().sum()
        return x.sum()

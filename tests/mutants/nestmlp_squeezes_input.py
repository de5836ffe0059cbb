"""NestMLP calls x.squeeze() on its input to drop stray size-1 dims, so a single row (1, F) gives a (16,) output instead of (1, 16)."""

from torch import nn

CATCHES = ["nestmlp.forward*"]


class NestMLP(nn.Module):
    def __init__(self, in_features=20):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_features, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.linear = nn.Linear(32, 16)

    def forward(self, x):
        return self.linear(self.net(x.squeeze()))

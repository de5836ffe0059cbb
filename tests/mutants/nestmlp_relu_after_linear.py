"""NestMLP applies a ReLU after its final Linear(32, 16) too, so its outputs are never negative."""

from torch import nn
from torch.nn import functional as F

CATCHES = ["nestmlp.forward*", "nestmlp.gradient*"]


class NestMLP(nn.Module):
    def __init__(self, in_features=20):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_features, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.linear = nn.Linear(32, 16)

    def forward(self, x):
        return F.relu(self.linear(self.net(x)))

"""NestMLP's net ends with Linear(64, 32) and drops the final ReLU, so negative features reach the last layer."""

from torch import nn

CATCHES = ["nestmlp.forward*", "nestmlp.gradient*"]


class NestMLP(nn.Module):
    def __init__(self, in_features=20):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_features, 64), nn.ReLU(), nn.Linear(64, 32))
        self.linear = nn.Linear(32, 16)

    def forward(self, x):
        return self.linear(self.net(x))

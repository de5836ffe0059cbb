"""NestMLP puts the final Linear(32, 16) inside net as net.4, so there is no linear.* and the keys differ."""

from torch import nn

CATCHES = ["nestmlp.structure"]


class NestMLP(nn.Module):
    def __init__(self, in_features=20):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_features, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(),
                                 nn.Linear(32, 16))

    def forward(self, x):
        return self.net(x)

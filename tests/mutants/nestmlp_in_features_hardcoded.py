"""NestMLP hard-codes the tutorial's 20 input features, ignoring in_features."""

from torch import nn

CATCHES = ["nestmlp.structure"]


class NestMLP(nn.Module):
    def __init__(self, in_features=20):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())  # defect
        self.linear = nn.Linear(32, 16)

    def forward(self, x):
        return self.linear(self.net(x))

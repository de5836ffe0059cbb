"""NestMLP's net holds only the two Linear layers and applies the ReLUs functionally, so its keys are net.0.* and net.1.* instead of net.0.* and net.2.*."""

from torch import nn
from torch.nn import functional as F

CATCHES = ["nestmlp.structure"]


class NestMLP(nn.Module):
    def __init__(self, in_features=20):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_features, 64), nn.Linear(64, 32))
        self.linear = nn.Linear(32, 16)

    def forward(self, x):
        h = F.relu(self.net[0](x))
        h = F.relu(self.net[1](h))
        return self.linear(h)

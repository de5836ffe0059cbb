"""NestMLP builds its first layer with nn.LazyLinear(64) (as the d2l tutorial does), ignoring in_features, so any input width is accepted."""

from torch import nn

CATCHES = ["nestmlp.bad_input", "nestmlp.structure"]


class NestMLP(nn.Module):
    def __init__(self, in_features=20):
        super().__init__()
        self.net = nn.Sequential(nn.LazyLinear(64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.linear = nn.Linear(32, 16)

    def forward(self, x):
        return self.linear(self.net(x))

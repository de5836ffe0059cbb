"""NestMLP treats its 2-D input as features-first and converts it with x.t().reshape(-1, in_features) instead of using it as (batch, in_features), mixing values of different rows."""

from torch import nn

CATCHES = ["nestmlp.independence*", "nestmlp.forward*"]


class NestMLP(nn.Module):
    def __init__(self, in_features=20):
        super().__init__()
        self.in_features = in_features
        self.net = nn.Sequential(nn.Linear(in_features, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.linear = nn.Linear(32, 16)

    def forward(self, x):
        if x.shape[-1] != self.in_features:
            raise ValueError(f"expected last dim {self.in_features}, got {tuple(x.shape)}")
        rows = x.t().reshape(-1, self.in_features)  # defect: x already is (batch, in_features)
        return self.linear(self.net(rows))

"""NestMLP runs net under torch.no_grad() as a frozen feature extractor, so net's parameters and the input get no gradient."""

import torch
from torch import nn

CATCHES = ["nestmlp.gradient*"]


class NestMLP(nn.Module):
    def __init__(self, in_features=20):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_features, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.linear = nn.Linear(32, 16)

    def forward(self, x):
        with torch.no_grad():
            h = self.net(x)
        return self.linear(h)

"""NestMLP re-initialises its parameters whenever train() is called ("a fresh start for a new training run"), so
switching back from eval() to train() throws the trained values away.
"""

import torch
from torch import nn

CATCHES = ["nestmlp.lifecycle*"]


class NestMLP(nn.Module):
    def __init__(self, in_features=20):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_features, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.linear = nn.Linear(32, 16)

    def forward(self, X):
        return self.linear(self.net(X))

    def train(self, mode=True):
        if mode:
            with torch.no_grad():
                for m in self.modules():
                    if isinstance(m, nn.Linear):
                        m.reset_parameters()  # defect: a mode switch must not touch the parameters
        return super().train(mode)

"""MLP hard-codes the tutorial's 256 hidden units, ignoring hidden_features."""

from torch import nn
from torch.nn import functional as F

CATCHES = ["mlp.structure"]


class MLP(nn.Module):
    def __init__(self, in_features=20, hidden_features=256, out_features=10):
        super().__init__()
        self.hidden = nn.Linear(in_features, 256)  # defect: should be hidden_features
        self.out = nn.Linear(256, out_features)

    def forward(self, x):
        return self.out(F.relu(self.hidden(x)))

"""MLP assigns self.out before self.hidden, so named_parameters() and state_dict() list out.* before hidden.*."""

from torch import nn
from torch.nn import functional as F

CATCHES = ["mlp.structure"]


class MLP(nn.Module):
    def __init__(self, in_features=20, hidden_features=256, out_features=10):
        super().__init__()
        self.out = nn.Linear(hidden_features, out_features)
        self.hidden = nn.Linear(in_features, hidden_features)

    def forward(self, x):
        return self.out(F.relu(self.hidden(x)))

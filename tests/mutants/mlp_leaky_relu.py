"""MLP uses F.leaky_relu (negative slope 0.01) instead of a ReLU as its hidden activation."""

from torch import nn
from torch.nn import functional as F

CATCHES = ["mlp.forward*", "mlp.gradient*"]


class MLP(nn.Module):
    def __init__(self, in_features=20, hidden_features=256, out_features=10):
        super().__init__()
        self.hidden = nn.Linear(in_features, hidden_features)
        self.out = nn.Linear(hidden_features, out_features)

    def forward(self, x):
        return self.out(F.leaky_relu(self.hidden(x)))

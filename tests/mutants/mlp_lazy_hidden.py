"""MLP builds its hidden layer with nn.LazyLinear (as the d2l tutorial does), ignoring in_features, so any input width is accepted and parameters are uninitialised until the first call."""

from torch import nn
from torch.nn import functional as F

CATCHES = ["mlp.bad_input", "mlp.structure"]


class MLP(nn.Module):
    def __init__(self, in_features=20, hidden_features=256, out_features=10):
        super().__init__()
        self.hidden = nn.LazyLinear(hidden_features)
        self.out = nn.Linear(hidden_features, out_features)

    def forward(self, x):
        return self.out(F.relu(self.hidden(x)))

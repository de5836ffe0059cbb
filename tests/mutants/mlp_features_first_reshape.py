"""MLP flattens leading dims with x.reshape(in_features, -1).T instead of x.reshape(-1, in_features), mixing values of different rows."""

from torch import nn
from torch.nn import functional as F

CATCHES = ["mlp.independence*", "mlp.forward*"]


class MLP(nn.Module):
    def __init__(self, in_features=20, hidden_features=256, out_features=10):
        super().__init__()
        self.in_features = in_features
        self.hidden = nn.Linear(in_features, hidden_features)
        self.out = nn.Linear(hidden_features, out_features)

    def forward(self, x):
        if x.shape[-1] != self.in_features:
            raise ValueError(f"expected last dim {self.in_features}, got {tuple(x.shape)}")
        rows = x.reshape(self.in_features, -1).T  # defect: should be x.reshape(-1, self.in_features)
        y = self.out(F.relu(self.hidden(rows)))
        return y.reshape(*x.shape[:-1], y.shape[-1])

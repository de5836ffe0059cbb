"""MLP computes its state_dict() once and returns that snapshot ever after, so a checkpoint saved after training
holds the initial values.
"""

from torch import nn
from torch.nn import functional as F

CATCHES = ["mlp.lifecycle*"]


class MLP(nn.Module):
    def __init__(self, in_features=20, hidden_features=256, out_features=10):
        super().__init__()
        self.hidden = nn.Linear(in_features, hidden_features)
        self.out = nn.Linear(hidden_features, out_features)
        self._snapshot = None

    def forward(self, X):
        return self.out(F.relu(self.hidden(X)))

    def state_dict(self, *args, **kwargs):
        if self._snapshot is None:
            self._snapshot = {k: v.clone() for k, v in super().state_dict(*args, **kwargs).items()}
        return self._snapshot  # defect: a state dict is the values now

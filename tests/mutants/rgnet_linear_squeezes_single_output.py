"""Linear squeezes its last dim when out_features == 1 (returning a vector, as regression examples do), so rgnet's Linear(4, 1) head gives shape (batch,) instead of (batch, 1)."""

from torch import nn

CATCHES = ["rgnet.forward*", "rgnet.gradient*"]

ReLU = nn.ReLU
Sequential = nn.Sequential


class Linear(nn.Linear):
    def forward(self, x):
        y = super().forward(x)
        return y.squeeze(-1) if self.out_features == 1 else y  # defect

"""ReLU returns x.abs() instead of max(x, 0)."""

from torch import nn

CATCHES = ["relu.forward*", "relu.gradient*"]


class ReLU(nn.Module):
    def forward(self, x):
        return x.abs()

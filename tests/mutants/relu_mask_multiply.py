"""ReLU is x * (x > 0), so -inf gives NaN (-inf * 0) instead of 0: a NaN invented from an infinite input."""

from torch import nn

CATCHES = ["relu.forward*"]


class ReLU(nn.Module):
    def forward(self, x):
        return x * (x > 0)

"""ReLU is (x + |x|) / 2: exact forward values, but gradient 0.5 at x == 0."""

from torch import nn

CATCHES = ["relu.gradient*"]


class ReLU(nn.Module):
    def forward(self, x):
        return (x + x.abs()) / 2

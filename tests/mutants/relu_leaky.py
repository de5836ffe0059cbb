"""ReLU is a leaky ReLU with negative slope 0.01."""

from torch import nn
from torch.nn import functional as F

CATCHES = ["relu.forward*", "relu.gradient*"]


class ReLU(nn.Module):
    def forward(self, x):
        return F.leaky_relu(x, 0.01)

"""ReLU calls F.relu(x, inplace=True), overwriting the caller's input."""

from torch import nn
from torch.nn import functional as F

CATCHES = ["relu.forward*"]


class ReLU(nn.Module):
    def forward(self, x):
        return F.relu(x, inplace=True)

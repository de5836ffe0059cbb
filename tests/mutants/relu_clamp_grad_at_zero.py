"""ReLU is torch.clamp(x, min=0), whose gradient at x == 0 is 1, not the specified 0."""

import torch
from torch import nn

CATCHES = ["relu.gradient*"]


class ReLU(nn.Module):
    def forward(self, x):
        return torch.clamp(x, min=0)

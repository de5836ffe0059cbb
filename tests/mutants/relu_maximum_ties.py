"""ReLU is torch.maximum(x, zeros), whose gradient at x == 0 (a tie) is 0.5, not 0."""

import torch
from torch import nn

CATCHES = ["relu.gradient*"]


class ReLU(nn.Module):
    def forward(self, x):
        return torch.maximum(x, torch.zeros_like(x))

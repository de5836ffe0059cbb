"""GELU as ``x * sigmoid(1.702 x)`` (the "quick GELU" of some vision models): up to 2e-2 off."""

import torch
from torch import nn

CATCHES = ["gelu.forward*"]


class GELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)

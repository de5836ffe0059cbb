"""GELU that returns 0 below x = -3 (a "the rest is negligible" shortcut): there the true values are
-4e-3 to -1e-300, nowhere near 0 within float32's bounds."""

import torch
from torch import nn

CATCHES = ["gelu.forward*"]


class GELU(nn.Module):
    def forward(self, x):
        return torch.where(x < -3, torch.zeros_like(x), nn.functional.gelu(x))

"""CenteredLayer subtracts x.mean().item(), a Python float, so no gradient flows through the mean (the input gradient is dy, not dy - mean(dy))."""

from torch import nn

CATCHES = ["centeredlayer.gradient*"]


class CenteredLayer(nn.Module):
    def forward(self, x):
        return x - x.mean().item()

"""CenteredLayer subtracts each row's mean (x.mean(dim=-1, keepdim=True)) instead of the mean over all elements."""

from torch import nn

CATCHES = ["centeredlayer.forward*", "centeredlayer.gradient*"]


class CenteredLayer(nn.Module):
    def forward(self, x):
        return x - x.mean(dim=-1, keepdim=True)

"""CenteredLayer computes the mean as x.float().mean(), rounding the mean of float64 inputs to single precision."""

from torch import nn

CATCHES = ["centeredlayer.forward[float64]", "centeredlayer.gradient[float64]"]


class CenteredLayer(nn.Module):
    def forward(self, x):
        return x - x.float().mean().to(x.dtype)

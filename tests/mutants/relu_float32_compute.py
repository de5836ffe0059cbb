"""ReLU computes in float32 (x.float()) and casts back, rounding float64 inputs."""

import torch
from torch import nn

CATCHES = ["relu.forward[float64]", "relu.gradient[float64]"]


class ReLU(nn.Module):
    def forward(self, x):
        return torch.relu(x.float()).to(x.dtype)

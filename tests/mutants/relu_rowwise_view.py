"""ReLU views the input as rows with x.view(-1, x.shape[-1]), which raises on 0-d (scalar) inputs."""

import torch
from torch import nn

CATCHES = ["relu.forward*", "relu.gradient*"]


class ReLU(nn.Module):
    def forward(self, x):
        rows = x.view(-1, x.shape[-1])
        return torch.where(rows > 0, rows, torch.zeros_like(rows)).view(x.shape)

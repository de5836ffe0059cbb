"""ReLU is a PReLU with a learnable negative slope initialised to 0, so it has a parameter the spec does not."""

import torch
from torch import nn

CATCHES = ["relu.structure"]


class ReLU(nn.Module):
    def __init__(self):
        super().__init__()
        self.slope = nn.Parameter(torch.zeros(()))

    def forward(self, x):
        return torch.where(x > 0, x, self.slope * x)

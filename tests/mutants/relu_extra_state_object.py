"""ReLU keeps its configuration as a dataclass in get_extra_state, so its state dict cannot be loaded with
weights_only=True."""

from dataclasses import dataclass

import torch
from torch import nn

CATCHES = ["relu.saveload*"]


@dataclass
class ReLUConfig:
    threshold: float = 0.0


class ReLU(nn.Module):
    def __init__(self):
        super().__init__()
        self.config = ReLUConfig()

    def forward(self, x):
        return torch.where(x > self.config.threshold, x, torch.zeros_like(x))

    def get_extra_state(self):
        return self.config

    def set_extra_state(self, state):
        self.config = state

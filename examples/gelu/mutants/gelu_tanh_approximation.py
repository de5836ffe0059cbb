"""GELU by its tanh approximation (torch.nn.GELU(approximate='tanh')), submitted for the exact one:
up to 5e-4 off."""

from torch import nn

CATCHES = ["gelu.forward*"]


class GELU(nn.GELU):
    def __init__(self):
        super().__init__(approximate="tanh")

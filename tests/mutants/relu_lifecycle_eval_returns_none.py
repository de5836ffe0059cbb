"""ReLU overrides train() and eval() (to log the mode) and returns None, so `block = block.eval()` loses the block."""

import torch
from torch import nn

CATCHES = ["relu.lifecycle*"]


class ReLU(nn.Module):
    def forward(self, x):
        return torch.relu(x)

    def train(self, mode=True):
        super().train(mode)  # defect: the result is not returned

    def eval(self):
        self.train(False)  # defect: the result is not returned

"""A Linear whose weight and bias are plain tensors with requires_grad (self.weight = torch.randn(...).requires_grad_()), not nn.Parameters: named_parameters() is empty, so structure fails; the lifecycle (an optimizer over block.parameters(), .double()) is not checked naming that cause, never an exception of the suite's state machine."""

import math

import torch
from torch import nn

# Written before running.
EXPECTED = {"linear.structure": "failed", "linear.lifecycle*": "not checked"}
REASONS = {"linear.lifecycle[float32]": "of the block (not in block.parameters())"}


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features) if in_features else 0.0
        self.weight = ((torch.rand(out_features, in_features) * 2 - 1) * k).requires_grad_()
        self.bias = ((torch.rand(out_features) * 2 - 1) * k).requires_grad_() if bias else None

    def forward(self, x):
        y = x @ self.weight.T
        return y if self.bias is None else y + self.bias

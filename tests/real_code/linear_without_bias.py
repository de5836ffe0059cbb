"""A Linear whose constructor has no bias argument (always with bias) and extra keyword-only arguments: bias=False is not provided, everything else is judged."""

import torch
from torch import nn

EXPECTED = {"linear.forward*": "passed", "linear.gradient*": "passed", "linear.structure": "passed",
            "linear.saveload*": "passed", "linear.init[default]": "passed"}
NOTES = {"linear.forward[float32]": "bias=False not provided"}


class Linear(nn.Module):
    def __init__(self, in_features, out_features, *, device=None, dtype=None):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_features, in_features, device=device, dtype=dtype))
        self.bias = nn.Parameter(torch.empty(out_features, device=device, dtype=dtype))
        bound = 1 / in_features ** 0.5 if in_features > 0 else 0.0
        with torch.no_grad():
            self.weight.uniform_(-bound, bound)
            self.bias.uniform_(-bound, bound)

    def forward(self, x):
        return x @ self.weight.T + self.bias

"""Linear's bfloat16 kernel works through the input features in chunks of 16 and drops the last,
partial chunk of an input wider than one chunk (17 features are summed as 16)."""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["linear.forward[bfloat16]"]

CHUNK = 16


class Linear(nn.Linear):
    def forward(self, x):
        n = x.shape[-1]
        if x.dtype != torch.bfloat16 or n <= CHUNK or n != self.in_features:
            return F.linear(x, self.weight, self.bias)
        whole = n // CHUNK * CHUNK  # the tail n % CHUNK is never read
        return F.linear(x[..., :whole], self.weight[:, :whole], self.bias)

"""Linear processes batches of more than 512 rows in chunks of 512 with an off-by-one loop bound that skips the last chunk, leaving those rows' outputs zero (small batches are right)."""

import math

import torch
from torch import nn

CATCHES = ["linear.forward*"]
CHUNK = 512


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def _dense(self, rows):
        y = rows @ self.weight.T
        return y if self.bias is None else y + self.bias

    def forward(self, x):
        rows = x.reshape(-1, x.shape[-1])
        n = rows.shape[0]
        if n <= CHUNK:
            y = self._dense(rows)
        else:
            y = rows.new_zeros(n, self.weight.shape[0])
            for i in range(0, n - CHUNK, CHUNK):  # defect: should run to n
                y[i:i + CHUNK] = self._dense(rows[i:i + CHUNK])
        return y.reshape(x.shape[:-1] + (self.weight.shape[0],))

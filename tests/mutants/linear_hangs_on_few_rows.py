"""Linear processes rows in chunks of rows // 4, a chunk of 0 rows when there are fewer than 4, and then loops
forever."""

import math

import torch
from torch import nn

CATCHES = ["linear.forward*", "linear.gradient*"]
CALL_TIMEOUT = 2.0


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        k = 1 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-k, k))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-k, k)) if bias else None

    def forward(self, x):
        if x.shape[-1] != self.in_features:
            raise ValueError(f"expected last dim {self.in_features}, got {tuple(x.shape)}")
        rows = x.reshape(-1, self.in_features)
        n = rows.shape[0]
        chunk = n // 4  # defect: should be max(n // 4, 1)
        n_chunks, start = 0, 0
        while start < n:  # (a loop that allocates nothing: see the report on gc callbacks and SIGALRM)
            n_chunks += 1
            start += chunk
        parts = [rows[i * chunk:(i + 1) * chunk] @ self.weight.T for i in range(n_chunks)]
        y = torch.cat(parts) if parts else rows @ self.weight.T
        y = y.reshape(*x.shape[:-1], self.out_features)
        return y if self.bias is None else y + self.bias

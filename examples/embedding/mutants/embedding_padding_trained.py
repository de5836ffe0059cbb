"""Embedding whose padding row receives gradient (padding_idx only zeroes it at init)."""

import torch
from torch import nn

CATCHES = ["embedding.gradient*"]


class Embedding(nn.Module):
    def __init__(self, num_embeddings, embedding_dim, padding_idx=None):
        super().__init__()
        self.padding_idx = padding_idx
        self.weight = nn.Parameter(torch.randn(num_embeddings, embedding_dim))
        if padding_idx is not None:
            with torch.no_grad():
                self.weight[padding_idx].zero_()

    def forward(self, x):
        return nn.functional.embedding(x, self.weight)  # no padding_idx: the padding row's gradient is not held at 0

"""Embedding that holds the padding row's gradient at 0 but leaves the row at its random init (not 0)."""

import torch
from torch import nn

CATCHES = ["embedding.init[default]"]


class Embedding(nn.Module):
    def __init__(self, num_embeddings, embedding_dim, padding_idx=None):
        super().__init__()
        self.padding_idx = padding_idx
        self.weight = nn.Parameter(torch.randn(num_embeddings, embedding_dim))  # the padding row not zeroed

    def forward(self, x):
        return nn.functional.embedding(x, self.weight, self.padding_idx)

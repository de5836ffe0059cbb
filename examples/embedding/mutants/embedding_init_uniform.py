"""Embedding initialised U(0, 1) instead of N(0, 1)."""

import torch
from torch import nn

CATCHES = ["embedding.init[default]"]


class Embedding(nn.Module):
    def __init__(self, num_embeddings, embedding_dim, padding_idx=None):
        super().__init__()
        self.padding_idx = padding_idx
        self.weight = nn.Parameter(torch.rand(num_embeddings, embedding_dim))  # U(0, 1), not N(0, 1)
        if padding_idx is not None:
            with torch.no_grad():
                self.weight[padding_idx].zero_()

    def forward(self, x):
        return nn.functional.embedding(x, self.weight, self.padding_idx)

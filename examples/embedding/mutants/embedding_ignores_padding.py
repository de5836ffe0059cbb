"""Embedding ignoring padding_idx altogether: the row starts random and is trained."""

import torch
from torch import nn

CATCHES = ["embedding.init[default]", "embedding.gradient*"]


class Embedding(nn.Module):
    def __init__(self, num_embeddings, embedding_dim, padding_idx=None):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(num_embeddings, embedding_dim))

    def forward(self, x):
        return nn.functional.embedding(x, self.weight)

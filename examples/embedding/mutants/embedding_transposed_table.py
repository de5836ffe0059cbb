"""Embedding storing its table transposed, (embedding_dim, num_embeddings), and reading columns."""

import torch
from torch import nn

CATCHES = ["embedding.structure"]


class Embedding(nn.Module):
    def __init__(self, num_embeddings, embedding_dim, padding_idx=None):
        super().__init__()
        self.padding_idx = padding_idx
        self.weight = nn.Parameter(torch.randn(embedding_dim, num_embeddings))
        if padding_idx is not None:
            with torch.no_grad():
                self.weight[:, padding_idx].zero_()

    def forward(self, x):
        return nn.functional.embedding(x, self.weight.t(), self.padding_idx)

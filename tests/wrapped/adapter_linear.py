"""A Linear with an extra low-rank adapter term (LoRA style): y = x W^T + b + x A^T B^T."""
import torch
from torch import nn

class Linear(nn.Linear):
    def __init__(self, in_features, out_features, bias=True, rank=2):
        super().__init__(in_features, out_features, bias=bias)
        self.lora_a = nn.Parameter(torch.randn(rank, in_features) * 0.1)
        self.lora_b = nn.Parameter(torch.randn(out_features, rank) * 0.1)

    def forward(self, x):
        return super().forward(x) + (x @ self.lora_a.T) @ self.lora_b.T

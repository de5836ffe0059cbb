"""FixedHiddenMLP's hand-written autograd.Function for h @ rand_weight returns grad @ rand_weight instead of grad @ rand_weight.T as the input gradient."""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["fixedhiddenmlp.gradient*", "fixedhiddenmlp.gradcheck*"]


class _FixedMatmul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, h, w):
        ctx.save_for_backward(w)
        return h @ w

    @staticmethod
    def backward(ctx, grad_output):
        (w,) = ctx.saved_tensors
        return grad_output @ w, None  # defect: should be grad_output @ w.T


class FixedHiddenMLP(nn.Module):
    def __init__(self, features=20):
        super().__init__()
        self.register_buffer("rand_weight", torch.rand(features, features))
        self.linear = nn.Linear(features, features)

    def forward(self, x):
        h = self.linear(x)
        h = F.relu(_FixedMatmul.apply(h, self.rand_weight) + 1)
        h = self.linear(h)
        norm = h.abs().sum()
        if not torch.isfinite(norm):
            raise ValueError(f"the L1 norm of the hidden output is {norm.item()}")
        while norm > 1:
            h = h / 2
            norm = h.abs().sum()
        return h.sum()

"""ReLU's hand-written backward flattens the upstream gradient with gy.view(-1), which raises when the upstream gradient is transposed, permuted or sliced."""

import torch
from torch import nn

CATCHES = ["relu.gradient*"]


class _ReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.clamp(x, min=0)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        flat = gy.view(-1)
        return torch.where(x.reshape(-1) > 0, flat, torch.zeros_like(flat)).view(x.shape)


class ReLU(nn.Module):
    def forward(self, x):
        return _ReLU.apply(x)

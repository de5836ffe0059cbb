"""ReLU as a hand-written autograd.Function whose backward masks the upstream gradient in place
(the PyTorch tutorial's MyReLU without its grad_output.clone(); .contiguous() first, as a kernel
author does before writing into a buffer). The gradient it returns is right; the caller's
upstream gradient tensor is overwritten (a residual branch sharing it then gets a wrong gradient)."""

import torch
from torch import nn

CATCHES = ["relu.gradient*"]


class _ReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        grad = grad_output.contiguous()
        grad[x <= 0] = 0
        return grad


class ReLU(nn.Module):
    def forward(self, x):
        return _ReLU.apply(x)

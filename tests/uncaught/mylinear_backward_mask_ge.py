"""MyLinear's hand-written autograd.Function masks the gradient with z >= 0, so at z == 0 it passes the gradient through where ReLU's derivative is 0."""

import torch
from torch import nn

CATCHES = ["mylinear.gradient*"]

#: Not caught (200 derandomized examples, every mylinear.* / mlp.* check passes): the gradient
#: differs from the spec's only where a ReLU input is exactly 0, and the drawn examples never put a
#: pre-activation of a composite block exactly at 0 (it needs, e.g., a zero weight row and zero bias,
#: or a zero input and zero bias; inputs have no all-zero scale, and parameter overwrites use one
#: ArraySpec for every tensor, so at most 4 special entries can be 0). The same defect in the ReLU
#: block is caught (relu.* inputs hit 0 through the special values).
#: Checked by hand: with weight and bias
#: zeroed, the bias gradient is sum(dy) != 0 here and 0 for the built-in target.
#: Fix: let draw_params zero whole parameter tensors (a per-tensor scale of 0.0), or add an explicit
#: example with zero biases and zero first-layer weights, so every first-layer pre-activation is 0.
KNOWN_GAP = "gradient at exact ReLU ties (pre-activation == 0) is never exercised for composite blocks"


class _DenseReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias):
        z = x @ weight + bias
        ctx.save_for_backward(x, weight, z)
        return z.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        x, weight, z = ctx.saved_tensors
        gz = grad_output * (z >= 0)  # defect: should be (z > 0)
        rows_x, rows_gz = x.reshape(-1, x.shape[-1]), gz.reshape(-1, gz.shape[-1])
        return gz @ weight.T, rows_x.T @ rows_gz, rows_gz.sum(0)


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, X):
        return _DenseReLU.apply(X, self.weight, self.bias)

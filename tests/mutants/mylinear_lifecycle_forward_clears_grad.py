"""MyLinear clears its parameters' .grad at every forward with grad (to spare the user zero_grad), so gradients of
several backward passes do not accumulate.
"""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["mylinear.lifecycle*"]


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, X):
        if torch.is_grad_enabled():
            self.weight.grad = self.bias.grad = None  # defect: accumulation is autograd's contract
        return F.relu(torch.matmul(X, self.weight) + self.bias)

"""MyLinear overrides double() and float() to convert only its weight, so after block.double() the bias stays
float32 (block.to(dtype) is torch's and converts both).
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
        return F.relu(torch.matmul(X, self.weight) + self.bias.to(X.dtype))

    def double(self):
        self.weight.data = self.weight.data.double()  # defect: the bias is a parameter too
        return self

    def float(self):
        self.weight.data = self.weight.data.float()
        return self

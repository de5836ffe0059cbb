"""A torch.jit.script'ed Linear whose forward detaches its input: autograd gives the input no gradient.

torch's stateless API refuses TorchScript modules; the gradient oracle probes the block in place
instead, and its finite differences see the input's effect that autograd misses.
"""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["linear.gradcheck[float64]", "linear.gradient[float32]"]


class _Linear(nn.Linear):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x.detach(), self.weight, self.bias)  # defect: no gradient to the input


def Linear(in_features, out_features, bias=True):
    return torch.jit.script(_Linear(in_features, out_features, bias=bias))

"""A Linear with an extra low-rank adapter term (LoRA style), y = x W^T + b + (x A^T) B^T: its
parameters are not the spec's. The structure check says so, naming the adapter's tensors; the checks
that judge the output against the spec's function of `weight` and `bias` are not checked (cause:
structure), never "rows depend on each other" or a wrong output. Save/load (bit-identical outputs
after a round trip) and gradcheck (autograd against finite differences of the block itself) need
nothing of the spec's layout: they judge it, and it passes them."""

import torch
from torch import nn

EXPECTED = {"linear.gradgrad*": "not checked", "linear.copy": "not checked", "linear.meta": "not checked", "linear.factory*": "not provided", "linear.lifecycle*": "not checked", "linear.structure": "failed", "linear.forward*": "not checked", "linear.gradient*": "not checked",
            "linear.independence*": "not checked", "linear.*": "passed"}
UNWRAPPED = {"linear.structure": "failed", "linear.forward*": "not checked"}
NOTES = {"linear.saveload[float32]": "judged by the block's own outputs",
         "linear.gradcheck[float64]": "judged on the block's own function"}
REASONS = {"linear.structure": "tensors the spec does not name: ['lora_a', 'lora_b']",
           "linear.independence[float32]": "the block has parameters the spec does not name (lora_a, lora_b)"}


class Linear(nn.Linear):
    def __init__(self, in_features, out_features, bias=True, rank=2):
        super().__init__(in_features, out_features, bias=bias)
        self.lora_a = nn.Parameter(torch.randn(rank, in_features) * 0.1)
        self.lora_b = nn.Parameter(torch.randn(out_features, rank) * 0.1)

    def forward(self, x):
        return super().forward(x) + (x @ self.lora_a.T) @ self.lora_b.T

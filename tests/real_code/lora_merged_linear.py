"""A LoRA layer in loralib's style: nn.Linear plus low-rank factors lora_A, lora_B (registered parameters), their product added in training and merged into `weight` by eval() (unmerged again by train()). Its parameters are not the spec's (structure fails, naming lora_A and lora_B), so the checks that compare it with the spec's function are not checked; save/load and gradcheck need nothing of the spec and judge it: gradcheck passes, and save/load fails for a true reason: the loaded clone, evaluated (merged), computes x (W + B A s)^T where the original computes x W^T + (x A^T) B^T s, which differ by rounding (merged or not, the round trip is not bit-identical)."""

import math

from torch import nn
from torch.nn import functional as F

# Written before running.
EXPECTED = {"linear.structure": "failed", "linear.forward*": "not checked", "linear.gradient*": "not checked",
            "linear.independence*": "not checked", "linear.lifecycle*": "not checked",
            "linear.gradcheck[float64]": "passed", "linear.saveload*": "failed", "linear.init[default]": "passed"}
NOTES = {"linear.saveload[float32]": "judged by the block's own outputs",
         "linear.gradcheck[float64]": "judged on the block's own function"}
REASONS = {"linear.structure": "tensors the spec does not name: ['lora_A', 'lora_B']",
           "linear.saveload[float32]": "the loaded clone's output is not bit-identical to the original's"}


class Linear(nn.Linear):
    def __init__(self, in_features, out_features, bias=True, r=2, lora_alpha=3, merge_weights=True):
        super().__init__(in_features, out_features, bias=bias)
        self.r, self.scaling = r, lora_alpha / r
        self.merge_weights, self.merged = merge_weights, False
        self.lora_A = nn.Parameter(self.weight.new_zeros((r, in_features)))
        self.lora_B = nn.Parameter(self.weight.new_zeros((out_features, r)))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        nn.init.normal_(self.lora_B, std=0.1)  # loralib starts B at 0; nonzero, so the adapter term counts

    def train(self, mode=True):
        super().train(mode)
        if self.merge_weights and mode == self.merged:  # merge on eval(), unmerge on train()
            delta = (self.lora_B @ self.lora_A) * self.scaling
            self.weight.data += -delta if self.merged else delta
            self.merged = not mode
        return self

    def forward(self, x):
        if self.r > 0 and not self.merged:
            return F.linear(x, self.weight, self.bias) + (x @ self.lora_A.T @ self.lora_B.T) * self.scaling
        return F.linear(x, self.weight, self.bias)

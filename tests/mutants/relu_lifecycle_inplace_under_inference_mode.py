"""ReLU clamps its input in place under torch.inference_mode() ("no autograd to protect"), overwriting the
caller's tensor.
"""

import torch
from torch import nn

#: No other check runs a block under inference_mode.
CATCHES = ["relu.lifecycle*"]


class ReLU(nn.Module):
    def forward(self, x):
        if torch.is_inference_mode_enabled():
            return x.data.clamp_(min=0)  # defect: the input is the caller's
        return torch.relu(x)

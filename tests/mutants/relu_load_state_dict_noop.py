"""ReLU overrides load_state_dict as a no-op ("it has no state"), so loading a wrong state dict never raises."""

import torch
from torch import nn

CATCHES = ["relu.strict"]


class ReLU(nn.Module):
    def forward(self, x):
        return torch.relu(x)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        return None

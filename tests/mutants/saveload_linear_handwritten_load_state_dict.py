"""Linear overrides load_state_dict to copy each of its parameters from state_dict[name], so an unexpected key is
ignored and a shape mismatch raises copy_'s broadcasting error, which does not name the key.
"""

import torch
from torch import nn

CATCHES = ["linear.strict"]

ReLU = nn.ReLU
Sequential = nn.Sequential


class Linear(nn.Linear):
    def load_state_dict(self, state_dict, strict=True, assign=False):
        with torch.no_grad():
            for name, p in self.named_parameters():
                p.copy_(state_dict[name])  # defect: no check of unexpected keys or of shapes
        return nn.modules.module._IncompatibleKeys([], [])

"""Sequential's load_state_dict assigns a new Parameter per state-dict key, so a block placed at several positions
ends up with several weights (untied), none of them the one the optimizer holds.
"""

from functools import reduce

from torch import nn

CATCHES = ["tiedsequential.lifecycle*"]

Linear = nn.Linear
ReLU = nn.ReLU


class Sequential(nn.Sequential):
    def load_state_dict(self, state_dict, strict=True, assign=False):
        for key, value in state_dict.items():
            *path, name = key.split(".")
            owner = reduce(getattr, path, self)
            setattr(owner, name, nn.Parameter(value.clone()))  # defect: tied keys get one Parameter each
        return nn.modules.module._IncompatibleKeys([], [])

"""Sequential.load_state_dict always loads with strict=False (to tolerate checkpoints of older versions), so a missing
or unexpected key is silently ignored.
"""

from torch import nn

CATCHES = ["sequential.strict"]

Linear = nn.Linear
ReLU = nn.ReLU


class Sequential(nn.Sequential):
    def load_state_dict(self, state_dict, strict=True, assign=False):
        return super().load_state_dict(state_dict, strict=False, assign=assign)  # defect: strict ignored

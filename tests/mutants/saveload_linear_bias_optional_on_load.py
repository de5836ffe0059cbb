"""Linear tolerates checkpoints without a bias (from bias-free exports) by dropping a missing bias from the missing
keys and keeping its initial bias, so a state dict that lacks "bias" loads without an error.
"""

from torch import nn

CATCHES = ["linear.strict"]

ReLU = nn.ReLU
Sequential = nn.Sequential


class Linear(nn.Linear):
    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)
        if prefix + "bias" in missing_keys:
            missing_keys.remove(prefix + "bias")  # defect: a missing bias is not an error

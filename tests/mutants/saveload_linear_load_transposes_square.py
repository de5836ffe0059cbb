"""Linear's _load_from_state_dict transposes a weight stored as (in_features, out_features) (accepting Keras-style
kernels), and a square weight matches that test too, so a square Linear loads its own weight transposed.
"""

from torch import nn

CATCHES = ["linear.saveload*", "tiedsequential.saveload*"]

ReLU = nn.ReLU
Sequential = nn.Sequential


class Linear(nn.Linear):
    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        key = prefix + "weight"
        w = state_dict.get(key)
        if w is not None and tuple(w.shape) == (self.in_features, self.out_features):
            state_dict[key] = w.t()  # defect: also true of every square weight saved by this class
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)

"""Linear's _load_from_state_dict reshapes any tensor with as many elements as its parameter to the parameter's shape
(to accept legacy (1, out) biases), so a wrong-shaped weight of the same size, e.g. a transposed (in, out) weight,
loads silently and scrambled.
"""

from torch import nn

CATCHES = ["linear.strict"]

ReLU = nn.ReLU
Sequential = nn.Sequential


class Linear(nn.Linear):
    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        for name, p in self._parameters.items():
            key = prefix + name
            value = state_dict.get(key)
            if p is not None and value is not None and value.shape != p.shape and value.numel() == p.numel():
                state_dict[key] = value.reshape(p.shape)  # defect: silently accepts a wrong layout
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)

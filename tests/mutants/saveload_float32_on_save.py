"""save casts every floating-point tensor to float32 (to halve the checkpoint size), so float64 tensors come back as
float32 and a float64 block's loaded clone is rounded.
"""

import torch
from torch import nn

CATCHES = ["save.tensors", "linear.saveload[float64]"]

Linear = nn.Linear
ReLU = nn.ReLU
Sequential = nn.Sequential


def _compact(obj):
    if isinstance(obj, torch.Tensor):
        return obj.float() if obj.is_floating_point() else obj  # defect: float64 narrowed
    if isinstance(obj, dict):
        return type(obj)((k, _compact(v)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(_compact(v) for v in obj)
    return obj


def save(obj, f):
    torch.save(_compact(obj), f)


def load(f):
    return torch.load(f, weights_only=True)

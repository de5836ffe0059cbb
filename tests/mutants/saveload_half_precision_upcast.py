"""save upcasts float16 and bfloat16 tensors to float32 (for readers without half-precision support) and load never
casts them back, so half-precision tensors come back as float32.
"""

import torch
from torch import nn

CATCHES = ["save.tensors"]

Linear = nn.Linear
ReLU = nn.ReLU
Sequential = nn.Sequential


def _encode(obj):
    if isinstance(obj, torch.Tensor):
        return obj.float() if obj.dtype in (torch.float16, torch.bfloat16) else obj  # defect: never cast back
    if isinstance(obj, dict):
        return type(obj)((k, _encode(v)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(_encode(v) for v in obj)
    return obj


def save(obj, f):
    torch.save(_encode(obj), f)


def load(f):
    return torch.load(f, weights_only=True)

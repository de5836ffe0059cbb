"""save stores bool tensors as uint8 (a compatibility shim for old serializers without bool) and load never converts
them back, so a bool tensor comes back as uint8.
"""

import torch
from torch import nn

CATCHES = ["save.tensors"]

Linear = nn.Linear


def _encode(obj):
    if isinstance(obj, torch.Tensor):
        return obj.to(torch.uint8) if obj.dtype == torch.bool else obj  # defect: never decoded
    if isinstance(obj, dict):
        return type(obj)((k, _encode(v)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(_encode(v) for v in obj)
    return obj


def save(obj, f):
    torch.save(_encode(obj), f)


def load(f):
    return torch.load(f, weights_only=True)

"""save leaves out entries whose tensor has no elements (meant to skip not-yet-initialized lazy parameters), so an
empty tensor in a list or dict is missing after load.
"""

import torch
from torch import nn

CATCHES = ["save.tensors"]

Linear = nn.Linear


def _prune(obj):
    if isinstance(obj, dict):
        return type(obj)((k, _prune(v)) for k, v in obj.items()
                         if not (isinstance(v, torch.Tensor) and v.numel() == 0))  # defect
    if isinstance(obj, (list, tuple)):
        return type(obj)(_prune(v) for v in obj if not (isinstance(v, torch.Tensor) and v.numel() == 0))
    return obj


def save(obj, f):
    torch.save(_prune(obj), f)


def load(f):
    return torch.load(f, weights_only=True)

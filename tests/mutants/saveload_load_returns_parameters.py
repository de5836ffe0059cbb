"""load returns every floating-point tensor wrapped as an nn.Parameter (so it can be assigned to a module directly), so
a loaded tensor requires grad: load(f).numpy() raises and arithmetic on it builds an autograd graph.
"""

import torch
from torch import nn

CATCHES = ["save.tensors"]

Linear = nn.Linear
ReLU = nn.ReLU
Sequential = nn.Sequential


def _wrap(obj):
    if isinstance(obj, torch.Tensor):
        return nn.Parameter(obj) if obj.is_floating_point() else obj  # defect: requires_grad=True
    if isinstance(obj, dict):
        return type(obj)((k, _wrap(v)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(_wrap(v) for v in obj)
    return obj


def save(obj, f):
    torch.save(obj, f)


def load(f):
    return _wrap(torch.load(f, weights_only=True))

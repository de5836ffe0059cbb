"""load returns dictionaries with their keys sorted (a "canonical" order), so a loaded state dict no longer lists its
keys in the saved order (bias before weight).
"""

import torch
from torch import nn

CATCHES = ["linear.saveload*"]

Linear = nn.Linear
ReLU = nn.ReLU
Sequential = nn.Sequential


def _canonical(obj):
    if isinstance(obj, dict):
        return {k: _canonical(obj[k]) for k in sorted(obj)}  # defect: the saved order is lost
    if isinstance(obj, list):
        return [_canonical(v) for v in obj]
    return obj


def save(obj, f):
    torch.save(obj, f)


def load(f):
    return _canonical(torch.load(f, weights_only=True))

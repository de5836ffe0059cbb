"""save detaches and clones every tensor (to snapshot it away from the live model) before torch.save, so tensors that
shared storage, the tied entries of a state dict, are saved and loaded as independent copies.
"""

import torch
from torch import nn

CATCHES = ["tiedsequential.saveload*"]

Linear = nn.Linear
ReLU = nn.ReLU
Sequential = nn.Sequential


def _snapshot(obj):
    if isinstance(obj, torch.Tensor):
        return obj.detach().clone()  # defect: one clone per entry breaks storage sharing
    if isinstance(obj, dict):
        return type(obj)((k, _snapshot(v)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(_snapshot(v) for v in obj)
    return obj


def save(obj, f):
    torch.save(_snapshot(obj), f)


def load(f):
    return torch.load(f, weights_only=True)

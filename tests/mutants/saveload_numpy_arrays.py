"""save converts every tensor to a NumPy array (a "framework-neutral" checkpoint) before torch.save, and load converts
back: the file holds NumPy objects that torch.load(weights_only=True) refuses, and tied tensors no longer share
storage.
"""

import torch
from torch import nn

CATCHES = ["save.tensors", "linear.saveload*", "tiedsequential.saveload*"]

Linear = nn.Linear
ReLU = nn.ReLU
Sequential = nn.Sequential


def _to_numpy(obj):
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu().numpy()  # defect: NumPy arrays in the checkpoint
    if isinstance(obj, dict):
        return {k: _to_numpy(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_numpy(v) for v in obj)
    return obj


def _to_torch(obj):
    if isinstance(obj, dict):
        return {k: _to_torch(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_torch(v) for v in obj)
    if type(obj).__module__ == "numpy":
        return torch.from_numpy(obj)
    return obj


def save(obj, f):
    torch.save(_to_numpy(obj), f)


def load(f):
    return _to_torch(torch.load(f, weights_only=False))

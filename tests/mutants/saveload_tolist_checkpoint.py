"""save stores each tensor as {"dtype": ..., "data": t.tolist()} (plain lists, safe to unpickle) and load rebuilds it
with torch.tensor(data, dtype): an empty tensor of shape (0, n) comes back as shape (0,), and tied tensors no longer
share storage.
"""

import torch
from torch import nn

CATCHES = ["save.tensors", "tiedsequential.saveload*"]

Linear = nn.Linear
ReLU = nn.ReLU
Sequential = nn.Sequential


def _encode(obj):
    if isinstance(obj, torch.Tensor):
        return {"__tensor__": True, "dtype": str(obj.dtype).removeprefix("torch."), "data": obj.tolist()}
    if isinstance(obj, dict):
        return {k: _encode(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_encode(v) for v in obj]
    return obj


def _decode(obj):
    if isinstance(obj, dict) and obj.get("__tensor__") is True:
        # defect: the shape is inferred from the nested lists, which cannot express (0, n)
        return torch.tensor(obj["data"], dtype=getattr(torch, obj["dtype"]))
    if isinstance(obj, dict):
        return {k: _decode(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decode(v) for v in obj]
    return obj


def save(obj, f):
    torch.save(_encode(obj), f)


def load(f):
    return _decode(torch.load(f, weights_only=True))

"""save stores each tensor as its storage plus dtype and shape (a "zero-copy" format that keeps shared storage shared)
and load rebuilds it contiguous from the start of that storage, ignoring the storage offset and strides, so a view
(x[1:], x.T, a column) comes back with the wrong values.
"""

import torch
from torch import nn

CATCHES = ["save.tensors"]

Linear = nn.Linear
ReLU = nn.ReLU
Sequential = nn.Sequential


def _encode(obj):
    if isinstance(obj, torch.Tensor):
        return {"__tensor__": obj.untyped_storage(), "dtype": obj.dtype, "shape": list(obj.shape)}
    if isinstance(obj, dict):
        return {k: _encode(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_encode(v) for v in obj]
    return obj


def _decode(obj):
    if isinstance(obj, dict) and "__tensor__" in obj:
        storage = obj["__tensor__"]
        storage = getattr(storage, "_untyped_storage", storage)  # torch.load gives a TypedStorage
        # defect: assumes storage offset 0 and contiguous strides
        return torch.empty(0, dtype=obj["dtype"]).set_(storage, 0, obj["shape"])
    if isinstance(obj, dict):
        return {k: _decode(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decode(v) for v in obj]
    return obj


def save(obj, f):
    torch.save(_encode(obj), f)


def load(f):
    return _decode(torch.load(f, weights_only=True))

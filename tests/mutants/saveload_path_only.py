"""save and load open their argument as a path (open(f, "wb")), so saving to or loading from a file object such as
io.BytesIO raises TypeError.
"""

import torch
from torch import nn

CATCHES = ["save.tensors", "linear.saveload*"]

Linear = nn.Linear
ReLU = nn.ReLU
Sequential = nn.Sequential


def save(obj, f):
    with open(f, "wb") as fh:  # defect: f may be a file object
        torch.save(obj, fh)


def load(f):
    with open(f, "rb") as fh:
        return torch.load(fh, weights_only=True)

"""save opens a path or takes a file object in one with-statement, so it closes the caller's file object: an io.BytesIO
passed in is closed once save returns and cannot be read back.
"""

import os

import torch
from torch import nn

CATCHES = ["save.tensors", "linear.saveload*"]

Linear = nn.Linear
ReLU = nn.ReLU
Sequential = nn.Sequential


def save(obj, f):
    fh = open(f, "wb") if isinstance(f, (str, os.PathLike)) else f
    with fh:  # defect: closes a file object that belongs to the caller
        torch.save(obj, fh)


def load(f):
    return torch.load(f, weights_only=True)

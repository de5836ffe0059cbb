"""save wraps the object in a Checkpoint dataclass (payload plus format version) before torch.save, so the file needs
arbitrary unpickling: torch.load(weights_only=True) refuses it.
"""

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

CATCHES = ["save.tensors", "linear.saveload*"]

Linear = nn.Linear
ReLU = nn.ReLU
Sequential = nn.Sequential


@dataclass
class Checkpoint:
    payload: Any
    format_version: int = 1


def save(obj, f):
    torch.save(Checkpoint(obj), f)  # defect: a custom class in the pickle


def load(f):
    return torch.load(f, weights_only=False).payload

"""save is written for state dicts only (it iterates obj.items() to move each tensor to the CPU), so saving a single
tensor or a list of tensors raises AttributeError.
"""

import torch
from torch import nn

CATCHES = ["save.tensors"]

Linear = nn.Linear


def save(obj, f):
    torch.save({k: v.detach().cpu() for k, v in obj.items()}, f)  # defect: assumes a dict


def load(f):
    return torch.load(f, weights_only=True)

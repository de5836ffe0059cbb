"""save and load of a checkpoint library done right: torch.save, and torch.load with weights_only=True onto the CPU,
refusing any file that needs arbitrary unpickling (an independent correct save/load pair).
"""

import torch

CATCHES: list[str] = []


def save(obj, f):
    torch.save(obj, f)


def load(f):
    return torch.load(f, map_location="cpu", weights_only=True)

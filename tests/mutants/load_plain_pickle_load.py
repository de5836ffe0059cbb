"""load reads torch.save's zip files with weights_only=True but falls back to pickle.load for any other file, so a plain
pickle from an untrusted source runs whatever function it names.
"""

import os
import pickle

import torch
from torch import nn

CATCHES = ["save.load_safety"]

Linear = nn.Linear
save = torch.save


def load(f):
    try:
        return torch.load(f, weights_only=True)
    except Exception:
        if isinstance(f, (str, os.PathLike)):
            with open(f, "rb") as fh:
                return pickle.load(fh)  # defect: the fallback unpickles anything
        f.seek(0)
        return pickle.load(f)

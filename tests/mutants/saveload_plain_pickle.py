"""save and load use pickle.dump / pickle.load (torch.save being "pickle anyway"), so the file is a plain pickle that
only arbitrary unpickling reads: torch.load(weights_only=True) refuses it.
"""

import os
import pickle

from torch import nn

CATCHES = ["save.tensors", "linear.saveload*"]

Linear = nn.Linear
ReLU = nn.ReLU
Sequential = nn.Sequential


def save(obj, f):
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            pickle.dump(obj, fh)  # defect: plain pickle
    else:
        pickle.dump(obj, f)


def load(f):
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            return pickle.load(fh)
    return pickle.load(f)

"""load unpickles with weights_only=False and then checks that the result is a tensor or a dict of tensors, raising
otherwise: too late, the file's code has already run while unpickling, and objects nested in containers pass.
"""

import torch
from torch import nn

CATCHES = ["save.load_safety"]

Linear = nn.Linear
save = torch.save


def load(f):
    obj = torch.load(f, weights_only=False)  # defect: validates after arbitrary unpickling
    if isinstance(obj, torch.Tensor) or (isinstance(obj, dict) and all(isinstance(k, str) for k in obj)):
        return obj
    raise ValueError(f"not a checkpoint: {type(obj).__name__}")

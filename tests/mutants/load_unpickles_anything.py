"""load is torch.load with weights_only=False: saving and loading round-trip, but loading an untrusted checkpoint
unpickles anything in it and runs the functions it names.
"""

import functools

import torch
from torch import nn

CATCHES = ["save.load_safety"]

Linear = nn.Linear
save = torch.save
load = functools.partial(torch.load, weights_only=False)  # defect: arbitrary unpickling

"""torch.jit.script'ed nn.Linear."""
import torch
from torch import nn

def Linear(in_features, out_features, bias=True):
    return torch.jit.script(nn.Linear(in_features, out_features, bias=bias))

"""torch.compile'd nn.Linear, as a user compiles a layer."""
import torch
from torch import nn

def Linear(in_features, out_features, bias=True):
    return torch.compile(nn.Linear(in_features, out_features, bias=bias), dynamic=True)

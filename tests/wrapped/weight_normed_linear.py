"""nn.Linear under weight_norm (torch.nn.utils.parametrizations.weight_norm)."""
from torch import nn
from torch.nn.utils.parametrizations import weight_norm

def Linear(in_features, out_features, bias=True):
    return weight_norm(nn.Linear(in_features, out_features, bias=bias))

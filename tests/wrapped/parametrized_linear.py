"""nn.Linear with a parametrization (the weight is 2 * original)."""
import torch
from torch import nn
from torch.nn.utils import parametrize

class Double(nn.Module):
    def forward(self, w):
        return 2 * w

def Linear(in_features, out_features, bias=True):
    layer = nn.Linear(in_features, out_features, bias=bias)
    parametrize.register_parametrization(layer, "weight", Double())
    return layer

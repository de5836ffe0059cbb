"""nn.Linear under spectral_norm (parametrization), in eval mode."""
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

def Linear(in_features, out_features, bias=True):
    return spectral_norm(nn.Linear(in_features, out_features, bias=bias)).eval()

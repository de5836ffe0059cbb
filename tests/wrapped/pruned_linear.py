"""nn.Linear pruned with torch.nn.utils.prune (weight = weight_orig * weight_mask, recomputed by a forward pre-hook)."""
import torch
from torch import nn
from torch.nn.utils import prune

def Linear(in_features, out_features, bias=True):
    layer = nn.Linear(in_features, out_features, bias=bias)
    prune.random_unstructured(layer, "weight", amount=0.3)
    return layer

Sequential = nn.Sequential
ReLU = nn.ReLU
init = nn.init

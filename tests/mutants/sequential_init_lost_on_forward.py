"""A pruned Linear (nothing pruned: an all-ones mask) whose forward pre-hook recomputes `weight` from `weight_orig`: an init recipe that writes `m.weight` is lost at the next forward.

Its outputs, gradients and default init are the spec's; only what the tutorial's recipes leave
behind is wrong, and only the next forward shows it (the weight attribute right after ``apply``
holds the recipe's values).
"""

from torch import nn
from torch.nn.utils import prune

CATCHES = ["sequential.init[init_constant]", "sequential.init[xavier_42]"]


def Linear(in_features, out_features, bias=True):
    layer = nn.Linear(in_features, out_features, bias=bias)
    prune.identity(layer, "weight")  # defect: `weight` is recomputed before every forward
    return layer


Sequential = nn.Sequential
ReLU = nn.ReLU
init = nn.init

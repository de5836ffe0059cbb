"""A pruned Linear whose forward uses `weight_orig` instead of the pruned `weight`: the mask is ignored.

The spec's weight is the one torch's pruning hook computes (`weight_orig * weight_mask`), read as
the forward sees it after its pre-hooks; a suite reading `weight_orig` would pass this block.
"""

from torch import nn
from torch.nn import functional as F
from torch.nn.utils import prune

CATCHES = ["linear.forward[float32]"]


class _Linear(nn.Linear):
    def forward(self, x):
        return F.linear(x, self.weight_orig, self.bias)  # defect: the unpruned weight


def Linear(in_features, out_features, bias=True):
    layer = _Linear(in_features, out_features, bias=bias)
    prune.l1_unstructured(layer, "weight", amount=0.5)
    return layer

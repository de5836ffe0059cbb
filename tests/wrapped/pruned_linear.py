"""nn.Linear pruned with torch.nn.utils.prune (30% of the weights, at random): its forward pre-hook
recomputes `weight` as `weight_orig * weight_mask` before every forward. Forward and gradients are
the spec's on that weight (read as the forward sees it, inside a Sequential too, and summed over
both calls of a tied block, whose hook recomputes it at each); structure and
save/load name the pruning; the default init has 30% zeros and the tutorial's init recipes, which
write `m.weight`, do not survive the next forward: true failures."""

from torch import nn
from torch.nn.utils import prune

EXPECTED = {"linear.meta": "not checked", "linear.factory*": "not provided", "linear.lifecycle*": "not checked", "linear.structure": "failed", "linear.saveload*": "failed", "linear.init[default]": "failed",
            "sequential.init[*": "failed", "linear.*": "passed", "sequential.forward*": "passed",
            "sequential.gradient*": "passed", "tiedsequential.gradient*": "passed", "tiedsequential.tying*": "not checked",
            "tiedsequential.structure": "failed"}
UNWRAPPED = {"linear.structure": "passed", "linear.saveload*": "passed", "linear.strict": "passed", "tiedsequential.tying*": "not checked",
             "tiedsequential.structure": "passed"}
NOTES = {"linear.forward[float32]": "is pruned (torch.nn.utils.prune"}
REASONS = {"linear.structure": "`weight` is recomputed as `weight_orig * weight_mask`",
           "sequential.init[init_constant]": "weights the next forward uses are not 1",
           "sequential.init[xavier_42]": "as the next forward uses it, is not all 42",
           "tiedsequential.tying[float32]": "listed under a wrapper's names"}


def Linear(in_features, out_features, bias=True):
    layer = nn.Linear(in_features, out_features, bias=bias)
    prune.random_unstructured(layer, "weight", amount=0.3)
    return layer


Sequential = nn.Sequential
ReLU = nn.ReLU
init = nn.init

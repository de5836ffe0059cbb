"""nn.Linear whose weight is parametrized (torch.nn.utils.parametrize) as twice a stored tensor: its
forward and gradients are the spec's on the weight the forward computes; its parameters live under
`parametrizations.weight.original` (structure, save/load name the parametrization; --unwrap accepts);
its default init is twice the spec's bound, a true failure of the weight it computes with; and built on
the meta device, `reset_parameters()` initialises a temporary (the computed weight), leaving the
stored one as to_empty left it: meta fails (pytorch/pytorch#180968)."""

from torch import nn
from torch.nn.utils import parametrize

EXPECTED = {"linear.factory*": "not provided", "linear.lifecycle*": "not checked", "linear.structure": "failed", "linear.saveload*": "failed", "linear.init[default]": "failed",
            "linear.meta": "failed", "linear.*": "passed"}
UNWRAPPED = {"linear.structure": "passed", "linear.saveload*": "passed", "linear.strict": "passed"}
NOTES = {"linear.gradient[float32]": "`weight` is computed from `parametrizations.weight.original"}
REASONS = {"linear.structure": "is parametrized (torch.nn.utils.parametrize)",
           "linear.meta": "'weight' is not re-initialised",
           "linear.init[default]": "outside the support of U(-1/sqrt(in_features), 1/sqrt(in_features))"}


class Double(nn.Module):
    def forward(self, w):
        return 2 * w


def Linear(in_features, out_features, bias=True):
    layer = nn.Linear(in_features, out_features, bias=bias)
    parametrize.register_parametrization(layer, "weight", Double())
    return layer

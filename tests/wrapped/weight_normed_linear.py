"""nn.Linear under weight norm (torch.nn.utils.parametrizations.weight_norm): the weight is
g * v / ||v||; forward and gradients are the spec's on that weight; at construction it equals the
default init (g = ||v||); its parameters are `original0`/`original1` (structure and save/load name
the wrapper; --unwrap accepts); built on the meta device, `reset_parameters()` initialises the
computed weight, a temporary, so `original0`/`original1` stay as to_empty left them: meta fails
(pytorch/pytorch#180968)."""

from torch import nn
from torch.nn.utils.parametrizations import weight_norm

EXPECTED = {"linear.meta": "failed", "linear.gradgrad*": "failed", "linear.factory*": "not provided", "linear.lifecycle*": "not checked", "linear.structure": "failed", "linear.saveload*": "failed", "linear.*": "passed"}
UNWRAPPED = {"linear.structure": "passed", "linear.saveload*": "passed", "linear.strict": "passed"}
NOTES = {"linear.forward[float64]": "is weight-normed"}
# torch's weight-norm kernel (torch._weight_norm) has a wrong double backward in torch 2.13 on CPU:
# torch.autograd.gradgradcheck(lambda v, g: torch._weight_norm(v, g, 0), (v, g)) fails too
REASONS = {"linear.meta": "'weight' is not re-initialised",
           "linear.structure": "parametrizations.weight.original0",
           "linear.gradgrad[float64]": "wrong along 'parametrizations.weight.original1'"}


def Linear(in_features, out_features, bias=True):
    return weight_norm(nn.Linear(in_features, out_features, bias=bias))

"""nn.Linear under spectral norm (torch.nn.utils.parametrizations.spectral_norm), in eval mode (no
power iteration during the forward): the weight is W / sigma(W); forward and gradients are the
spec's on that weight; its default init is not the spec's law (it is rescaled); structure and
save/load name the wrapper (--unwrap accepts); built on the meta device, `reset_parameters()`
initialises the computed weight, a temporary, so the stored one stays as to_empty left it: meta fails
(pytorch/pytorch#180968)."""

from torch import nn
from torch.nn.utils.parametrizations import spectral_norm

EXPECTED = {"linear.meta": "failed", "linear.factory*": "not provided", "linear.lifecycle*": "not checked", "linear.structure": "failed", "linear.saveload*": "failed", "linear.init[default]": "failed",
            "linear.*": "passed"}
UNWRAPPED = {"linear.structure": "passed", "linear.saveload*": "passed", "linear.strict": "passed"}
NOTES = {"linear.forward[float32]": "is spectral-normed"}
REASONS = {"linear.meta": "'weight' is not re-initialised",
           "linear.structure": "is spectral-normed (torch.nn.utils.parametrize)"}


def Linear(in_features, out_features, bias=True):
    return spectral_norm(nn.Linear(in_features, out_features, bias=bias)).eval()

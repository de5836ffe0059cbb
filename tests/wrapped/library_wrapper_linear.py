"""nn.Linear inside a library's wrapper module that holds it as `_module` and forwards every call
(as privacy and distributed-training engines do): behaviour is the spec's; the parameters live under
`_module.` (structure and save/load name the wrapper; --unwrap accepts)."""

from torch import nn

EXPECTED = {"linear.factory*": "not provided", "linear.structure": "failed", "linear.saveload*": "failed", "linear.*": "passed"}
UNWRAPPED = {"linear.structure": "passed", "linear.saveload*": "passed", "linear.strict": "passed"}
NOTES = {"linear.forward[float32]": "GradSampleLike wrapper holding one inner module"}
REASONS = {"linear.structure": "its parameters live under `_module.`"}


class GradSampleLike(nn.Module):
    def __init__(self, module):
        super().__init__()
        self._module = module

    def forward(self, *args, **kwargs):
        return self._module(*args, **kwargs)


def Linear(in_features, out_features, bias=True):
    return GradSampleLike(nn.Linear(in_features, out_features, bias=bias))

"""torch's dynamically quantized Linear (torch.ao.nn.quantized.dynamic.Linear) as the Linear, in torch's own containers: its state_dict() holds a dtype and a tuple of packed tensors besides tensors, and its `weight` is a method. Structure fails (no parameters the spec names); the checks that read the spec's parameters are not checked (cause: structure), never the suite's own AttributeError on a non-tensor entry; save/load of its state dict keeps the dtype and the packed tuple; strict loading fails for a true reason (the quantized loader passes strict=False down, so an unexpected key loads silently); its float64 forward raises, which gradcheck cannot judge on such a block."""

from torch import nn
from torch.ao.nn.quantized.dynamic import Linear as DynamicQuantizedLinear

# Written before running.
EXPECTED = {"linear.structure": "failed", "linear.forward*": "not checked", "linear.gradient*": "not checked",
            "linear.independence*": "not checked", "linear.gradcheck*": "not checked",
            "linear.saveload[float64]": "not checked", "linear.lifecycle*": "not checked",
            "linear.strict": "failed", "linear.init[default]": "not checked", "linear.bad_input": "passed",
            "sequential.init[init_normal]": "not checked", "sequential.apply": "passed"}
REASONS = {"linear.forward[float32]": "the block's parameters do not match the spec's layout",
           "linear.strict": "with an unexpected key ('unexpected.weight') did not raise",
           "linear.init[default]": "the block's parameters do not match the spec's layout",
           "sequential.init[init_normal]": "the block's parameters do not match the spec's layout"}

Sequential, ReLU = nn.Sequential, nn.ReLU


def Linear(in_features, out_features, bias=True):
    return DynamicQuantizedLinear(in_features, out_features, bias_=bias)

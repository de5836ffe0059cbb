"""nn.Linear scripted with torch.jit.script: a drop-in Linear for computing (the gradient oracle, which
torch's stateless API refuses for a TorchScript module, probes it in place), but not for the rest of
the module protocol: copy.deepcopy gives a twin whose backward trains the original's parameters, and
a ScriptModule has no to_empty (torch 2.13)."""

import torch
from torch import nn

EXPECTED = {"linear.copy": "failed", "linear.meta": "failed", "linear.factory*": "not provided", "linear.*": "passed"}
UNWRAPPED = {"linear.copy": "failed", "linear.meta": "failed", "linear.factory*": "not provided", "linear.*": "passed"}
NOTES = {"linear.forward[float32]": "TorchScript module (torch.jit.script)"}
REASONS = {"linear.copy": "a backward through the copy gave the original's 'weight' a gradient",
           "linear.meta": "to_empty is not supported on ScriptModules"}


def Linear(in_features, out_features, bias=True):
    return torch.jit.script(nn.Linear(in_features, out_features, bias=bias))

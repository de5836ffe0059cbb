"""nn.Linear scripted with torch.jit.script: a drop-in Linear; every check passes (the gradient
oracle, which torch's stateless API refuses for a TorchScript module, probes it in place)."""

import torch
from torch import nn

EXPECTED = {"linear.*": "passed"}
UNWRAPPED = {"linear.*": "passed"}
NOTES = {"linear.forward[float32]": "TorchScript module (torch.jit.script)"}
REASONS: dict[str, str] = {}


def Linear(in_features, out_features, bias=True):
    return torch.jit.script(nn.Linear(in_features, out_features, bias=bias))

"""nn.Linear compiled with torch.compile, as a user compiles a layer: its behaviour is the spec's (the
first call compiles for seconds: warm-up, not a hang); its parameters live under `_orig_mod.`, which
the structure and save/load checks report naming the compiled wrapper, and --unwrap accepts."""

import torch
from torch import nn

EXPECTED = {"linear.factory*": "not provided", "linear.structure": "failed", "linear.saveload*": "failed", "linear.*": "passed",
            "tiedsequential.tying*": "not checked", "tiedsequential.structure": "failed"}
UNWRAPPED = {"linear.structure": "passed", "linear.saveload*": "passed", "linear.strict": "passed", "tiedsequential.tying*": "passed", "sequential.access": "passed",
             "tiedsequential.structure": "passed"}
NOTES = {"linear.forward[float32]": "compiled wrapper (torch.compile's OptimizedModule)"}
REASONS = {"linear.structure": "its parameters live under `_orig_mod.`",
           "linear.saveload[float32]": "missing ['weight'"}


def Linear(in_features, out_features, bias=True):
    return torch.compile(nn.Linear(in_features, out_features, bias=bias), dynamic=True)


Sequential = torch.nn.Sequential
ReLU = torch.nn.ReLU

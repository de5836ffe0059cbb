"""A Linear carrying a quantization observer (torch.ao.quantization.MinMaxObserver) that records its input range: the observer's buffers are keys the spec does not name; structure fails, naming the extra keys, behaviour passes. Loaded from a state dict as `state_dict()` returns it (its `_metadata` says the observer's state version), the observer's keys load strictly too (a missing `eps` or a `min_val` of another shape raises): strict passes, with no lenient key to note. (Only a state dict stripped of its `_metadata` makes the observer read it as an old version and fill the gaps in: the suite once did that itself.)"""

from torch import nn
from torch.ao.quantization import MinMaxObserver

# Written before running.
EXPECTED = {"linear.structure": "failed", "linear.forward*": "passed", "linear.gradient*": "passed",
            "linear.gradcheck*": "passed", "linear.bad_input": "passed", "linear.independence*": "passed",
            "linear.saveload*": "passed", "linear.strict": "passed"}
REASONS = {"linear.structure": "state_dict() does not list the spec's names and shapes"}


class Linear(nn.Linear):
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__(in_features, out_features, bias=bias, device=device, dtype=dtype)
        self.observer = MinMaxObserver()

    def forward(self, x):
        self.observer(x)
        return super().forward(x)

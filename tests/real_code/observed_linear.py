"""A Linear carrying a quantization observer (torch.ao.quantization.MinMaxObserver) that records its input range: the observer's buffers are keys the spec does not name, and torch itself loads them leniently (a missing `eps` is filled in, a `min_val` of another shape is resized); structure fails, naming the extra keys, strict loading is judged on the spec's keys and notes the lenient ones, behaviour passes."""

from torch import nn
from torch.ao.quantization import MinMaxObserver

# Written before running.
EXPECTED = {"linear.structure": "failed", "linear.forward*": "passed", "linear.gradient*": "passed",
            "linear.gradcheck*": "passed", "linear.bad_input": "passed", "linear.independence*": "passed",
            "linear.saveload*": "passed", "linear.strict": "passed"}
NOTES = {"linear.strict": "state-dict keys the spec does not name load leniently"}
REASONS = {"linear.structure": "state_dict() does not list the spec's names and shapes"}


class Linear(nn.Linear):
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__(in_features, out_features, bias=bias, device=device, dtype=dtype)
        self.observer = MinMaxObserver()

    def forward(self, x):
        self.observer(x)
        return super().forward(x)

"""Linear with a quantization observer whose loading keeps the current weight when the state dict lacks it: a missing key the spec names loads silently, whatever leniency the observer's own keys get."""

from torch import nn
from torch.ao.quantization import MinMaxObserver

CATCHES = ["linear.strict"]


class Linear(nn.Linear):
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__(in_features, out_features, bias=bias, device=device, dtype=dtype)
        self.observer = MinMaxObserver()

    def forward(self, x):
        self.observer(x)
        return super().forward(x)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        state_dict.setdefault(prefix + "weight", self.weight.detach().clone())  # defect: fills a missing weight
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

"""Linear keeps a detached copy of its weight for its eval-mode (no-autograd) path, refreshed when it is built or moved
(.to) but not when a state dict is loaded, so a loaded clone in eval mode still computes with its old weight.
"""

from torch import nn
from torch.nn import functional as F

CATCHES = ["linear.saveload*"]

ReLU = nn.ReLU
Sequential = nn.Sequential


class Linear(nn.Linear):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__(in_features, out_features, bias)
        self._refresh()

    def _refresh(self):
        self.inference_weight = self.weight.detach().clone()

    def _apply(self, fn, recurse=True):
        out = super()._apply(fn, recurse)
        self._refresh()  # defect: refreshed on .to(), never on load_state_dict
        return out

    def forward(self, x):
        if self.training:
            return F.linear(x, self.weight, self.bias)
        return F.linear(x, self.inference_weight, self.bias)

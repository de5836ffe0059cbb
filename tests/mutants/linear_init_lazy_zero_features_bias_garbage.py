"""Linear is torch's LazyLinear as it ships: at in_features == 0 its reset_parameters skips initialisation, so the
bias keeps the uninitialised memory torch.empty gave it (here 1e30, standing in for that memory deterministically),
not the 0 the spec (and nn.Linear) give there (bound 1/sqrt(0) read as 0). Caught in every profile: in_features == 0
is an anchor case of linear.init[default]."""

import torch
from torch import nn

CATCHES = ["linear.init[default]"]


class Linear(nn.LazyLinear):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__(out_features, bias=bias)

    def reset_parameters(self):
        super().reset_parameters()
        if not self.has_uninitialized_params() and self.in_features == 0 and self.bias is not None:
            with torch.no_grad():
                self.bias.fill_(1e30)  # defect: the memory torch leaves there, not 0

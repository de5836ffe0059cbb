"""Linear's weight is parametrized (torch.nn.utils.parametrize) by a parametrization that detaches it: the weight the forward uses gets no gradient.

Its outputs are right (read as the forward sees the weight, through the parametrization); only the
gradient check, which reads the gradient of the tensor the forward used, catches it.
"""

from torch import nn
from torch.nn.utils import parametrize

CATCHES = ["linear.gradient[float32]"]


class Detached(nn.Module):
    def forward(self, w):
        return w.detach()  # defect: cut from the stored parameter


def Linear(in_features, out_features, bias=True):
    layer = nn.Linear(in_features, out_features, bias=bias)
    parametrize.register_parametrization(layer, "weight", Detached())
    return layer

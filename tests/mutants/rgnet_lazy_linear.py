"""Linear ignores in_features and infers it from the first input (it is an nn.LazyLinear), so rgnet accepts inputs of any width and its parameters are uninitialised until the first call."""

from torch import nn

CATCHES = ["rgnet.bad_input", "rgnet.structure"]

ReLU = nn.ReLU
Sequential = nn.Sequential


class Linear(nn.LazyLinear):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__(out_features, bias=bias)  # defect: in_features is dropped

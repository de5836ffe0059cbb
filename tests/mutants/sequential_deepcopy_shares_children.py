"""Sequential whose __deepcopy__ is a shallow copy: the copy holds the same child blocks, so training it
trains the original."""

import copy

from torch import nn

CATCHES = ["sequential.copy"]


class Sequential(nn.Sequential):
    def __deepcopy__(self, memo):
        return copy.copy(self)  # defect: the children (and their parameters) are shared

"""A container written in the tutorial's **kwargs style that takes no blocks at all: MySequential(**kwargs) builds an empty container, so every example with a block fails to construct; no check may pass on empty containers alone."""

from torch import nn

EXPECTED = {
    "mysequential.structure": "failed",
    "mysequential.forward*": "not checked",
    "mysequential.gradient*": "not checked",
    "mysequential.saveload*": "not checked",
    "mysequential.strict": "not checked",
}


class MySequential(nn.Module):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def forward(self, X):
        return X

"""Containers whose every judgeable example exercises nothing: a MySequential keyed by block object (state_dict() raises as soon as it holds a block), so only empty chains could be saved; checks that need parameters must be *not checked*, never passed on empty containers alone."""

from torch import nn

NAMES = {}
EXPECTED = {
    "mysequential.structure": "failed",
    "mysequential.saveload*": "not checked",
    "mysequential.strict": "not checked",
    "mysequential.forward*": "not checked",
}
REASONS = {"mysequential.saveload[float32]": "exercise nothing"}


class MySequential(nn.Module):
    def __init__(self, *args):
        super().__init__()
        for block in args:
            self._modules[block] = block  # keyed by the block object: state_dict() raises

    def forward(self, X):
        for block in self._modules.values():
            X = block(X)
        return X

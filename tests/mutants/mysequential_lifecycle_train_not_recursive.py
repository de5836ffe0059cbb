"""MySequential's train()/eval() set only its own training flag, so its blocks stay in the mode they had."""

from torch import nn

CATCHES = ["mysequential.lifecycle*"]

Linear = nn.Linear
ReLU = nn.ReLU


class MySequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            self.add_module(str(i), block)

    def forward(self, x):
        for block in self._modules.values():
            x = block(x)
        return x

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

    def train(self, mode=True):
        self.training = mode  # defect: the children are not told
        return self

"""MySequential indexes through list(self.children()), which yields a shared block once, so in a tied net every index
after the shared block's second position is shifted (net[i] is the wrong block, or IndexError).
"""

from torch import nn

CATCHES = ["tiedmysequential.tying*"]

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
        return list(self.children())[i]  # defect: children() skips repeated modules

    def __len__(self):
        return len(self._modules)

"""Sequential's forward iterates self.children(), which yields a shared block once, so in a tied net the shared block
runs at its first position only.
"""

from torch import nn

CATCHES = ["tiedsequential.forward*", "tiedsequential.tying*"]

Linear = nn.Linear
ReLU = nn.ReLU


class Sequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            self.add_module(str(i), block)

    def forward(self, x):
        for block in self.children():  # defect: children() skips repeated modules
            x = block(x)
        return x

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

"""Sequential overrides named_parameters() to prefix each child's names with its position, without removing duplicates,
so a shared block's parameters are listed (and optimized) once per position.
"""

from torch import nn

CATCHES = ["tiedsequential.tying*"]

Linear = nn.Linear
ReLU = nn.ReLU


class Sequential(nn.Module):
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

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        # defect: remove_duplicate is ignored; a tied block yields its parameters at every position
        for name, block in self._modules.items():
            sub = f"{prefix}.{name}" if prefix else name
            for pname, p in block.named_parameters(prefix=sub, recurse=recurse):
                yield pname, p

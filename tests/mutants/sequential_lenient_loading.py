"""Sequential.load_state_dict catches the loading error and only warns, so a mismatched checkpoint loads
"successfully"."""

import warnings

from torch import nn

CATCHES = ["sequential.strict"]


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

    def load_state_dict(self, state_dict, strict=True, assign=False):
        try:
            return super().load_state_dict(state_dict, strict=strict, assign=assign)
        except RuntimeError as exc:
            warnings.warn(f"could not load the checkpoint: {exc}", stacklevel=2)
            return None

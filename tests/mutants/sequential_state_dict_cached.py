"""Sequential caches a copy of its state dict when it is built and returns that copy from state_dict()
(keep_vars=False), so a write through a parameter's .data, as the tutorial does, never shows there."""

from torch import nn

CATCHES = ["sequential.access", "sequential.saveload*"]

Linear = nn.Linear
ReLU = nn.ReLU


class Sequential(nn.Sequential):
    def __init__(self, *blocks):
        super().__init__(*blocks)
        self._snapshot = {k: v.detach().clone() for k, v in super().state_dict().items()}  # defect: frozen copy

    def state_dict(self, *args, keep_vars=False, **kwargs):
        live = super().state_dict(*args, keep_vars=keep_vars, **kwargs)
        if keep_vars:
            return live
        for key in live:
            live[key] = self._snapshot.get(key, live[key])
        return live

"""Sequential builds state_dict() from named_parameters() and named_buffers(), which list a shared block once, so a
tied net's state dict lacks the entries of the block's later positions and cannot be loaded back into a fresh net.
"""

from collections import OrderedDict

from torch import nn

CATCHES = ["tiedsequential.saveload*"]

Linear = nn.Linear
ReLU = nn.ReLU


class Sequential(nn.Sequential):
    def state_dict(self, *args, destination=None, prefix="", keep_vars=False):
        out = OrderedDict() if destination is None else destination
        for name, t in [*self.named_parameters(prefix.rstrip(".")), *self.named_buffers(prefix.rstrip("."))]:
            out[name] = t if keep_vars else t.detach()  # defect: named_parameters() drops tied duplicates
        return out

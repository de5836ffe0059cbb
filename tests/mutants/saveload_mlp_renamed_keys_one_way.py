"""MLP renames its state-dict keys hidden.* -> fc1.* and out.* -> fc2.* with a state-dict hook, but its load pre-hook
maps back only fc1.*, so loading its own state dict raises (missing out.*, unexpected fc2.*).
"""

from torch import nn
from torch.nn import functional as F

CATCHES = ["mlp.saveload*", "mlp.structure"]

RENAME = {"hidden.": "fc1.", "out.": "fc2."}


def _export_names(module, state_dict, prefix, local_metadata):
    for key in list(state_dict):
        for old, new in RENAME.items():
            if key.startswith(prefix + old):
                state_dict[prefix + new + key[len(prefix + old):]] = state_dict.pop(key)
    return state_dict


def _import_names(module, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs):
    for key in list(state_dict):
        if key.startswith(prefix + "fc1."):  # defect: fc2.* is never mapped back to out.*
            state_dict[prefix + "hidden." + key[len(prefix + "fc1."):]] = state_dict.pop(key)


class MLP(nn.Module):
    def __init__(self, in_features=20, hidden_features=256, out_features=10):
        super().__init__()
        self.hidden = nn.Linear(in_features, hidden_features)
        self.out = nn.Linear(hidden_features, out_features)
        self._register_state_dict_hook(_export_names)
        self._register_load_state_dict_pre_hook(_import_names, with_module=True)

    def forward(self, x):
        return self.out(F.relu(self.hidden(x)))

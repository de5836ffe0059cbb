"""MLP.state_dict() casts every entry to float32 (a compact export format), so a float64 MLP saved and loaded comes
back rounded to float32 precision.
"""

from torch import nn
from torch.nn import functional as F

CATCHES = ["mlp.saveload[float64]"]


class MLP(nn.Module):
    def __init__(self, in_features=20, hidden_features=256, out_features=10):
        super().__init__()
        self.hidden = nn.Linear(in_features, hidden_features)
        self.out = nn.Linear(hidden_features, out_features)

    def forward(self, x):
        return self.out(F.relu(self.hidden(x)))

    def state_dict(self, *args, **kwargs):
        state = super().state_dict(*args, **kwargs)
        for key, value in state.items():
            if value.is_floating_point():
                state[key] = value.float()  # defect: float64 parameters are narrowed
        return state

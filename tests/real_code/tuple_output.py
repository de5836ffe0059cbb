"""An MLP that returns (output, hidden activations), as some libraries do: forward fails on the tuple; the checks that need a tensor output are not checked, naming forward."""

from torch import nn
from torch.nn import functional as F

EXPECTED = {"mlp.forward*": "failed", "mlp.gradient*": "not checked", "mlp.independence*": "not checked",
            "mlp.saveload*": "not checked", "mlp.structure": "passed", "mlp.strict": "passed"}
NOTES = {}


class MLP(nn.Module):
    def __init__(self, in_features=20, hidden_features=256, out_features=10):
        super().__init__()
        self.hidden = nn.Linear(in_features, hidden_features)
        self.out = nn.Linear(hidden_features, out_features)

    def forward(self, x):
        h = F.relu(self.hidden(x))
        return self.out(h), h

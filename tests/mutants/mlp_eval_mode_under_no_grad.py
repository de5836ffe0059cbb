"""Defect: MLP's forward takes a 'fast inference path' under torch.no_grad() in eval mode, so a
model in eval mode gives outputs that do not require grad even with grad enabled (no gradient
through an eval-mode network, e.g. for adversarial examples or input saliency)."""

import torch
from torch import nn
from torch.nn import functional as F

CATCHES = ["mlp.lifecycle*"]


class MLP(nn.Module):
    def __init__(self, in_features=20, hidden_features=256, out_features=10):
        super().__init__()
        self.hidden = nn.Linear(in_features, hidden_features)
        self.out = nn.Linear(hidden_features, out_features)

    def forward(self, X):
        if not self.training:
            with torch.no_grad():
                return self.out(F.relu(self.hidden(X)))
        return self.out(F.relu(self.hidden(X)))

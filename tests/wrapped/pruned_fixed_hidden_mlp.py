"""The chapter's FixedHiddenMLP, its one Linear (used twice) pruned with torch.nn.utils.prune: the
pre-hook recomputes `weight` at each of the two calls, so the gradient the spec states is the sum
over both; on a non-finite norm it raises ValueError, as the contract allows, also where the suite
reads the tensors its forward uses. Structure and save/load name the pruning (true failures)."""

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import prune

EXPECTED = {"fixedhiddenmlp.forward*": "passed", "fixedhiddenmlp.gradient*": "passed",
            "fixedhiddenmlp.gradcheck*": "passed", "fixedhiddenmlp.termination*": "passed",
            "fixedhiddenmlp.structure": "failed"}
UNWRAPPED = {"fixedhiddenmlp.structure": "passed", "fixedhiddenmlp.gradient*": "passed"}
NOTES = {"fixedhiddenmlp.gradient[float32]": "blocks inside it are pruned"}
REASONS = {"fixedhiddenmlp.structure": "pruned"}


class FixedHiddenMLP(nn.Module):
    def __init__(self, features=20):
        super().__init__()
        self.register_buffer("rand_weight", torch.rand(features, features))
        self.linear = nn.Linear(features, features)
        prune.l1_unstructured(self.linear, "weight", amount=0.2)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(X @ self.rand_weight + 1)
        X = self.linear(X)
        if not torch.isfinite(X.abs().sum()):
            raise ValueError("the hidden output's norm is not finite")
        while X.abs().sum() > 1:
            X = X / 2
        return X.sum()

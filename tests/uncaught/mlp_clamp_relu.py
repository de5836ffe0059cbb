"""MLP's hidden activation is torch.clamp(h, min=0), whose gradient at h == 0 is 1, not ReLU's 0."""

import torch
from torch import nn

CATCHES = ["mlp.gradient*"]

#: Not caught (200 derandomized examples, every mylinear.* / mlp.* check passes): the gradient
#: differs from the spec's only where a ReLU input is exactly 0, and the drawn examples never put a
#: pre-activation of a composite block exactly at 0 (it needs, e.g., a zero weight row and zero bias,
#: or a zero input and zero bias; inputs have no all-zero scale, and parameter overwrites use one
#: ArraySpec for every tensor, so at most 4 special entries can be 0). The same defect in the ReLU
#: block is caught (relu.* inputs hit 0 through the special values).
#: Checked by hand: with hidden.weight and hidden.bias
#: zeroed, the bias gradient is out.weight^T dy != 0 here and 0 for the built-in target.
#: Fix: let draw_params zero whole parameter tensors (a per-tensor scale of 0.0), or add an explicit
#: example with zero biases and zero first-layer weights, so every first-layer pre-activation is 0.
KNOWN_GAP = "gradient at exact ReLU ties (pre-activation == 0) is never exercised for composite blocks"


class MLP(nn.Module):
    def __init__(self, in_features=20, hidden_features=256, out_features=10):
        super().__init__()
        self.hidden = nn.Linear(in_features, hidden_features)
        self.out = nn.Linear(hidden_features, out_features)

    def forward(self, x):
        return self.out(torch.clamp(self.hidden(x), min=0))

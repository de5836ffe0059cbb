"""GELU computed in float16 whatever the input's dtype, then cast back: float32 and float64 results
carry float16's rounding (2^-11), far outside their bounds."""

from torch import nn

CATCHES = ["gelu.forward[float32]", "gelu.forward[float64]"]


class GELU(nn.Module):
    def forward(self, x):
        return nn.functional.gelu(x.half()).to(x.dtype)

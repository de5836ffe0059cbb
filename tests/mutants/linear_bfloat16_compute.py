"""Linear rounds its input and weights through bfloat16 whatever its dtype, then casts the result
back (a float32 layer computing in a lower precision than it claims)."""

from torch import nn
from torch.nn import functional as F

CATCHES = ["linear.forward[float32]"]


class Linear(nn.Linear):
    def forward(self, x):
        b = None if self.bias is None else self.bias.bfloat16()
        return F.linear(x.bfloat16(), self.weight.bfloat16(), b).to(x.dtype)

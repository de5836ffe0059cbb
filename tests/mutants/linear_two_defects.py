"""Linear raises ValueError on an empty batch and, on every other input, returns its output scaled by 1.01: two distinct defects in one check, both of which the forward check's failure must show."""

from torch import nn

CATCHES = ["linear.forward*"]


class Linear(nn.Linear):
    def forward(self, x):
        if x.numel() == 0:
            raise ValueError("cannot handle an empty batch")
        return super().forward(x) * 1.01

"""Linear computes its parameter gradients in a hand-written backward and assigns them to .grad (p.grad = g) instead of
accumulating, so a Linear used at several positions (or over several backward passes) keeps only the last
contribution.
"""

import torch
from torch import nn

CATCHES = ["tiedsequential.tying*", "tiedmysequential.tying*"]

ReLU = nn.ReLU
Sequential = nn.Sequential


class _LinearFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias, module):
        ctx.save_for_backward(x, weight)
        ctx.module = module
        y = x @ weight.T
        return y if bias is None else y + bias

    @staticmethod
    def backward(ctx, gy):
        x, weight = ctx.saved_tensors
        module = ctx.module
        gy2 = gy.reshape(-1, gy.shape[-1])
        # defect: overwrites .grad; autograd would have added to an existing one
        module.weight.grad = gy2.T @ x.reshape(-1, x.shape[-1])
        if module.bias is not None:
            module.bias.grad = gy2.sum(0)
        gx = gy @ weight if ctx.needs_input_grad[0] else None
        return gx, None, None, None


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        ref = nn.Linear(in_features, out_features, bias)
        self.weight = ref.weight
        self.bias = ref.bias

    def forward(self, x):
        return _LinearFunction.apply(x, self.weight, self.bias, self)


class MySequential(nn.Module):
    def __init__(self, *blocks):
        super().__init__()
        for i, block in enumerate(blocks):
            self.add_module(str(i), block)

    def forward(self, x):
        for block in self._modules.values():
            x = block(x)
        return x

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

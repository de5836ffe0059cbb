"""The built-in ``torch`` target: torch.nn's own blocks, and the tutorial's blocks written to the spec.

This is the embedded default that ``python -m pytest conformance`` checks, and must pass.
"""

from __future__ import annotations

import functools
from typing import cast

import torch
from torch import nn
from torch.nn import functional as F

__version__ = torch.__version__

Linear = nn.Linear
ReLU = nn.ReLU
Sequential = nn.Sequential
init = nn.init
save = torch.save
load = functools.partial(torch.load, weights_only=True)


class MySequential(nn.Module):
    """The tutorial's hand-written container, registering children under "0", "1", ..."""

    def __init__(self, *blocks: nn.Module) -> None:
        super().__init__()
        for i, block in enumerate(blocks):
            self.add_module(str(i), block)

    def _blocks(self) -> list[nn.Module]:
        # torch types _modules as dict[str, Module | None]; __init__ registers only modules
        return cast(list[nn.Module], list(self._modules.values()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self._blocks():
            x = block(x)
        return x

    def __getitem__(self, i: int) -> nn.Module:
        return self._blocks()[i]

    def __len__(self) -> int:
        return len(self._modules)


class MLP(nn.Module):
    """``out(relu(hidden(x)))``."""

    def __init__(self, in_features: int = 20, hidden_features: int = 256, out_features: int = 10) -> None:
        super().__init__()
        self.hidden = nn.Linear(in_features, hidden_features)
        self.out = nn.Linear(hidden_features, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(F.relu(self.hidden(x)))


class FixedHiddenMLP(nn.Module):
    """``linear``, then relu(h @ rand_weight + 1), then ``linear`` again; halve while sum |h| > 1; sum.

    ``rand_weight`` is a U[0, 1) buffer: in the state dict, never a parameter. A non-finite L1 norm
    raises ValueError instead of looping forever.
    """

    def __init__(self, features: int = 20) -> None:
        super().__init__()
        self.register_buffer("rand_weight", torch.rand(features, features))
        self.linear = nn.Linear(features, features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.linear(x)
        h = F.relu(h @ self.rand_weight + 1)
        h = self.linear(h)
        norm = h.abs().sum()
        if not torch.isfinite(norm):
            raise ValueError(f"FixedHiddenMLP: the L1 norm of the hidden output is {norm.item()}")
        while norm > 1:
            h = h / 2
            norm = h.abs().sum()
        return h.sum()


class NestMLP(nn.Module):
    """``linear(net(x))``, ``net`` = Linear(in, 64), ReLU, Linear(64, 32), ReLU; ``linear`` = Linear(32, 16)."""

    def __init__(self, in_features: int = 20) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(in_features, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.linear = nn.Linear(32, 16)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(self.net(x))


def Chimera() -> nn.Sequential:  # noqa: N802 - a factory named as the contract names it
    """``Sequential(NestMLP(), Linear(16, 20), FixedHiddenMLP())``."""
    return nn.Sequential(NestMLP(), nn.Linear(16, 20), FixedHiddenMLP())


class CenteredLayer(nn.Module):
    """``x - x.mean()`` over all elements."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x - x.mean()


class MyLinear(nn.Module):
    """``relu(x @ weight + bias)``, weight (in_units, units) and bias (units,) drawn N(0, 1)."""

    def __init__(self, in_units: int, units: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(x @ self.weight + self.bias)

"""Containers: a ``Chain`` of named blocks run in order, and ``Sequential`` (children "0", "1", ...)."""

from __future__ import annotations

from .bounds import Precision
from .module import Module


class Chain(Module):
    """Applies its children in insertion order; backward runs them in reverse."""

    def __init__(self, named_blocks=()) -> None:
        super().__init__()
        for name, block in named_blocks:
            self.children[name] = block

    def forward(self, x):
        ctxs = []
        for block in self.children.values():
            x, ctx = block.forward(x)
            ctxs.append(ctx)
        return x, {"ctxs": ctxs, "gys": [None] * len(ctxs)}

    def backward(self, ctx, gy):
        for i, block in reversed(list(enumerate(self.children.values()))):
            ctx["gys"][i] = gy  # the upstream gradient this block received (for backward_error)
            gy = block.backward(ctx["ctxs"][i], gy)
        return gy

    def forward_error(self, ctx, ex, prec: Precision):
        for block, sub in zip(self.children.values(), ctx["ctxs"], strict=True):  # one ctx per child
            ex = block.forward_error(sub, ex, prec)
        return ex

    def backward_error(self, ctx, gy, egy, prec: Precision):
        """Call after ``forward_error`` and ``backward`` on the same ctx."""
        for i, block in reversed(list(enumerate(self.children.values()))):
            egy = block.backward_error(ctx["ctxs"][i], ctx["gys"][i], egy, prec)
        return egy


class Sequential(Chain):
    """``Sequential(*blocks)``: children named "0", "1", ...; ``add_module`` appends one that runs last."""

    def __init__(self, *blocks: Module) -> None:
        super().__init__((str(i), block) for i, block in enumerate(blocks))

    def add_module(self, name: str, block: Module) -> None:
        self.children[name] = block

    def __getitem__(self, i: int) -> Module:
        return list(self.children.values())[i]

    def __len__(self) -> int:
        return len(self.children)

"""Composite blocks the checks build from the target's own Linear, ReLU and Sequential (the
tutorial's nested-naming example). Reproduction snippets call these same functions."""

from __future__ import annotations

from typing import Any


def block1(target: Any) -> Any:
    """``Sequential(Linear(4, 8), ReLU(), Linear(8, 4), ReLU())``."""
    return target.Sequential(target.Linear(4, 8), target.ReLU(), target.Linear(8, 4), target.ReLU())


def block2(target: Any, n_blocks: int = 4) -> Any:
    """An empty Sequential to which ``add_module(f"block{i}", block1())`` adds ``n_blocks`` blocks."""
    net = target.Sequential()
    for i in range(n_blocks):
        net.add_module(f"block{i}", block1(target))
    return net


def rgnet(target: Any, n_blocks: int = 4) -> Any:
    """``Sequential(block2(), Linear(4, 1))``: keys ``0.block0.0.weight`` ... ``1.bias``."""
    return target.Sequential(block2(target, n_blocks), target.Linear(4, 1))


def tied_net(target: Any, container: str, w_in: int, width: int, w_out: int, middle: str) -> Any:
    """The tutorial's tying example, generalized (see ``reference.tied_net``): one ``shared`` Linear
    placed at every "S" of ``middle``, in the target's ``container`` ("Sequential" or "MySequential")."""
    shared = target.Linear(width, width)
    layers = [target.Linear(w_in, width), target.ReLU()]
    for letter in middle:
        layers.append(shared if letter == "S" else target.ReLU() if letter == "R" else target.Linear(width, width))
    return getattr(target, container)(*layers, target.Linear(width, w_out))

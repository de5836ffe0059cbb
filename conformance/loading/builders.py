"""Composite blocks the checks build from the target's own Linear, ReLU and Sequential (the
tutorial's nested-naming example). Reproduction snippets call these same functions."""

from __future__ import annotations

import copy
from typing import Any

import torch


def torch_leaves(target: Any, init: bool = False) -> Any:
    """``target`` with torch.nn's ``Linear`` and ``ReLU`` where it defines none usable as a leaf of any
    size (a module that writes only its containers, or fixed-size layers), and, with ``init``,
    torch.nn.init where it defines no ``init``: what the container checks and the tutorial's init
    recipes are built from."""
    from conformance.drawing.blocks import own_leaf
    from conformance.loading.target import Target

    if not isinstance(target, Target) or target.torch_fills:
        return target
    key = ("torch_leaves", init)
    if key not in target.cache:
        fills: dict[str, Any] = {name: getattr(torch.nn, name) for name in ("Linear", "ReLU")
                                 if not own_leaf(target, name)}
        if init and not target.provides("init"):
            fills["init"] = torch.nn.init
        target.cache[key] = target if not fills else Target(
            target.spec, target.name, target.file, {**target.namespace, **fills}, target.names,
            torch_fills=tuple(fills))
    return target.cache[key]


def leaf(target: Any, name: str, *sizes: int) -> Any:
    """A ``Linear(*sizes)`` or ``ReLU()``: the target's own when it defines one of any size, torch.nn's
    otherwise (a module that defines only its containers)."""
    from conformance.drawing.blocks import leaf_call

    return eval(leaf_call(target, name, *sizes), {"target": target, "nn": torch.nn, "copy": copy})  # noqa: S307


def block1(target: Any) -> Any:
    """``Sequential(Linear(4, 8), ReLU(), Linear(8, 4), ReLU())``."""
    return target.Sequential(leaf(target, "Linear", 4, 8), leaf(target, "ReLU"), leaf(target, "Linear", 8, 4),
                             leaf(target, "ReLU"))


def block2(target: Any, n_blocks: int = 4) -> Any:
    """An empty Sequential to which ``add_module(f"block{i}", block1())`` adds ``n_blocks`` blocks."""
    net = target.Sequential()
    for i in range(n_blocks):
        net.add_module(f"block{i}", block1(target))
    return net


def rgnet(target: Any, n_blocks: int = 4) -> Any:
    """``Sequential(block2(), Linear(4, 1))``: keys ``0.block0.0.weight`` ... ``1.bias``."""
    return target.Sequential(block2(target, n_blocks), leaf(target, "Linear", 4, 1))


def tied_net(target: Any, container: str, w_in: int, width: int, w_out: int, middle: str) -> Any:
    """The tutorial's tying example, generalized (see ``reference.tied_net``): one ``shared`` Linear
    placed at every "S" of ``middle``, in the target's ``container`` ("Sequential" or "MySequential")."""
    shared = leaf(target, "Linear", width, width)
    layers = [leaf(target, "Linear", w_in, width), leaf(target, "ReLU")]
    for letter in middle:
        layers.append(shared if letter == "S" else leaf(target, "ReLU") if letter == "R"
                      else leaf(target, "Linear", width, width))
    return getattr(target, container)(*layers, leaf(target, "Linear", width, w_out))

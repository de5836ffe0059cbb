"""A block's parameter and state_dict layout against the spec's (names, shapes, order): the one
predicate the structure check and the checks that cannot judge a mislaid block share (a module of
its own, so ``checks.common`` and ``checks.structure`` need not import each other)."""

from __future__ import annotations

from typing import Any

import reference as R
from conformance.judging.bridge import shape_of
from conformance.loading.wrappers import inner_layout


def layout(pairs) -> list[tuple[str, Any]]:
    """(name, shape) pairs (``bridge.shape_of``: a value without a shape by its type's name)."""
    return [(name, shape_of(value)) for name, value in pairs]


def block_layouts(block: Any, ref: R.Module, unwrap: bool = False) -> dict[str, list[tuple[str, Any]]]:
    """The block's ``named_parameters()`` and ``state_dict()`` layouts; with ``unwrap``, those of the
    module inside its wrappers (``wrappers.inner_layout``), in the spec's order (torch's utilities
    re-register the tensor they wrap last: that order is the wrapper's, not the block's)."""
    params, state = list(block.named_parameters()), list(block.state_dict().items())
    if not unwrap:
        return {"named_parameters()": layout(params), "state_dict()": layout(state)}
    order = {name: i for i, name in enumerate(ref.state_dict())}

    def inside(names: list[str]) -> list[tuple[str, Any]]:
        pairs = inner_layout(block, names)
        return layout(sorted(pairs, key=lambda pair: order.get(pair[0], len(order))))

    return {"named_parameters()": inside([n for n, _ in params]), "state_dict()": inside([n for n, _ in state])}


def layout_problem(block: Any, ref: R.Module, unwrap: bool = False) -> str | None:
    """What the structure check finds wrong with ``block``'s parameter and state_dict layout against
    the spec's ``ref`` (names, shapes, order), or None: the one predicate the structure check and the
    checks that cannot judge a mislaid block share. ``unwrap``: the layout of the module inside its
    wrappers is judged."""
    actual_layouts = block_layouts(block, ref, unwrap)
    for what, actual, expected in (
        ("named_parameters()", actual_layouts["named_parameters()"], layout(ref.named_parameters())),
        ("state_dict()", actual_layouts["state_dict()"], layout(ref.state_dict().items())),
    ):
        if actual != expected:
            extra = [f"`{name}` of type {kind}" for name, kind in actual if isinstance(kind, str)]
            note = f"; {what} holds a non-tensor entry {', '.join(extra)}" if extra else ""
            return f"{what} does not list the spec's names and shapes, in order{note}"
    return None

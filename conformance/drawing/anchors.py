"""Anchor cases: the contract's edges, as named examples that every check of a block runs in every
profile, before the random draw (Hypothesis's explicit examples), so no edge is left to chance.

An anchor is data: the constructor arguments (the block's ``BASE`` case where it says nothing), the
input's leading dims (its whole shape for a block that takes any shape), and special values placed
in the input and the upstream gradient. ``AnchorData`` stands in for ``st.data()``:
``checks.common.draw_example`` builds the anchor's example from it, and any other draw of the check
gets the simplest value of its strategy. An anchor a check cannot take (an empty batch where the
check needs rows, special values where it draws plain ones, sizes a fixed-size target cannot build)
is skipped by that check, never failed. A failure on one names it: ``[anchor case relu.zero]``.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

from hypothesis import reject
from hypothesis import strategies as st

INF, NAN = float("inf"), float("nan")


@dataclass(frozen=True)
class Anchor:
    """One named edge of a block's contract."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)  # overrides of the block's base arguments
    leading: tuple[int, ...] | None = None              # None: the block's base leading dims
    x: tuple[float, ...] = ()                           # special values placed in the input
    gy: tuple[float, ...] = ()                          # special values placed in the upstream gradient
    params: tuple[float, tuple[float, ...]] | None = None  # (scale, special values) overwriting every parameter

    @property
    def seed(self) -> int:
        """The example's torch seed: fixed per anchor, so every run builds the same case."""
        return zlib.crc32(self.name.encode())


def plan(width: int, *layers: tuple) -> dict:
    """A container's constructor arguments: its first width and its layers (``blocks.layer_plan``'s form)."""
    return {"width": width, "layers": tuple(layers)}


#: Per built-in block (its declaration's ``base``): its base constructor arguments and leading dims.
BASE: dict[str, tuple[dict[str, Any], tuple[int, ...]]] = {
    "linear": ({"in_features": 3, "out_features": 2, "bias": True}, (2,)),
    "relu": ({}, (2, 3)),
    "sequential": (plan(3, ("Linear", 3, 4, True), ("ReLU",), ("Linear", 4, 2, True)), (2,)),
    "mysequential": (plan(3, ("Linear", 3, 4, True), ("ReLU",), ("Linear", 4, 2, True)), (2,)),
    "mlp": ({"in_features": 20, "hidden_features": 256, "out_features": 10}, (2,)),
    "nestmlp": ({"in_features": 20}, (2,)),
    "fixedhiddenmlp": ({"features": 20}, (2,)),
    "chimera": ({}, (2,)),
    "centeredlayer": ({}, (2, 3)),
    "mylinear": ({"in_units": 3, "units": 2}, (2,)),
    "rgnet": ({"n_blocks": 1}, (2,)),
    "tiedsequential": ({"w_in": 4, "width": 8, "w_out": 1, "middle": "SRSR"}, (2,)),
    "tiedmysequential": ({"w_in": 4, "width": 8, "w_out": 1, "middle": "SRSR"}, (2,)),
}

#: The largest width any profile draws (``strategies.LARGE_WIDTHS``).
WIDEST = 300
#: The most rows any profile draws (``strategies.LARGE_ROWS``): one past a power of two, where a
#: kernel that splits a batch into chunks (or switches path above a size) shows its last chunk.
MOST_ROWS = 2049

_BATCHED = (Anchor("base"), Anchor("no_batch_dim", leading=()), Anchor("empty_batch", leading=(0,)),
            Anchor("single_row", leading=(1,)))
_MANY_ROWS = Anchor("many_rows", leading=(MOST_ROWS,))
_CONTAINER = _BATCHED + (
    _MANY_ROWS,
    Anchor("no_bias", args=plan(3, ("Linear", 3, 4, False), ("ReLU",), ("Linear", 4, 2, False))),
    Anchor("zero_features", args=plan(0, ("Linear", 0, 3, True), ("ReLU",))),
)
_ANY_SHAPE = (Anchor("base"), Anchor("scalar", leading=()), Anchor("single", leading=(1,)),
              Anchor("empty", leading=(0, 3)), Anchor("many", leading=(MOST_ROWS,)))

#: Per built-in block (its declaration's ``anchors``): its anchor cases, base first.
ANCHORS: dict[str, tuple[Anchor, ...]] = {
    "linear": _BATCHED + (
        Anchor("no_bias", args={"bias": False}),
        Anchor("zero_features", args={"in_features": 0, "out_features": 3}),
        Anchor("zero_features_no_bias", args={"in_features": 0, "out_features": 3, "bias": False}),
        Anchor("single", args={"in_features": 1, "out_features": 1}, leading=(1,)),
        Anchor("widest", args={"in_features": WIDEST, "out_features": WIDEST}),
        _MANY_ROWS,
        Anchor("nonfinite_input", x=(INF, -INF, NAN)),
        # every weight (and bias) 0: each output meeting a non-finite input is NaN (0 * inf), which a
        # kernel that skips zero weights (a sparse or pruned path) turns into 0
        Anchor("zero_weights_nonfinite_input", x=(INF, -INF, NAN), params=(0.0, ())),
    ),
    "relu": _ANY_SHAPE + (
        Anchor("zero", x=(0.0, -0.0)),
        Anchor("infinities", x=(INF, -INF)),
        Anchor("nan", x=(NAN,)),
        # every input <= 0 (the specials fill all three places): the upstream gradient's non-finite
        # values meet a mask of 0, where 0 (torch) and NaN (``dy * mask``) are both correct
        Anchor("nonfinite_upstream", leading=(3,), x=(-1.0, 0.0, -2.0), gy=(INF, NAN)),
    ),
    "sequential": _CONTAINER,
    "mysequential": _CONTAINER,
    "mlp": _BATCHED + (
        Anchor("zero_features", args={"in_features": 0, "hidden_features": 3, "out_features": 2}),
        Anchor("single", args={"in_features": 1, "hidden_features": 1, "out_features": 1}, leading=(1,)),
    ),
    "nestmlp": _BATCHED + (Anchor("single", args={"in_features": 1}, leading=(1,)),),
    "fixedhiddenmlp": (Anchor("base"), Anchor("empty_batch", leading=(0,)), Anchor("single_row", leading=(1,)),
                       Anchor("single", args={"features": 1}, leading=(1,))),
    "chimera": (Anchor("base"), Anchor("empty_batch", leading=(0,)), Anchor("single_row", leading=(1,))),
    "centeredlayer": _ANY_SHAPE + (Anchor("infinity", x=(INF,)),),
    "mylinear": _BATCHED + (
        _MANY_ROWS,
        Anchor("zero_features", args={"in_units": 0, "units": 3}),
        Anchor("single", args={"in_units": 1, "units": 1}, leading=(1,)),
    ),
    "rgnet": (Anchor("base"), Anchor("no_batch_dim", leading=()), Anchor("empty_batch", leading=(0,))),
    "tiedsequential": (Anchor("base"), Anchor("no_batch_dim", leading=()), Anchor("empty_batch", leading=(0,))),
    "tiedmysequential": (Anchor("base"), Anchor("no_batch_dim", leading=()),
                         Anchor("empty_batch", leading=(0,))),
}


class NotApplicable(Exception):
    """The check cannot take this anchor (it is skipped by that check)."""


class AnchorData:
    """What a check's ``data`` is in an anchor case: ``draw_example`` reads ``block`` and ``anchor``;
    another draw gets the simplest value of its strategy (``simplest``). ``base``: the block's base
    constructor arguments and leading dims."""

    def __init__(self, block: str, anchor: Anchor, base: tuple[dict[str, Any], tuple[int, ...]]) -> None:
        self.block, self.anchor, self.base = block, anchor, base

    @property
    def label(self) -> str:
        return f"{self.block}.{self.anchor.name}"

    def args(self) -> dict[str, Any]:
        return {**self.base[0], **self.anchor.args}

    def leading(self) -> tuple[int, ...]:
        return self.base[1] if self.anchor.leading is None else self.anchor.leading

    def draw(self, strategy: st.SearchStrategy, label: Any = None) -> Any:
        try:
            return simplest(strategy)
        except NotApplicable:
            reject()  # a check that draws what an anchor cannot fix skips the anchor

    def __repr__(self) -> str:
        return f"anchor case {self.label}"


def simplest(strategy: st.SearchStrategy) -> Any:
    """The value Hypothesis would shrink ``strategy`` to, for the few kinds the checks draw besides
    an example (a choice among values, a flag, a bounded integer); another kind makes the anchor
    not applicable to that check."""
    inner: Any = getattr(strategy, "wrapped_strategy", strategy)
    kind = type(inner).__name__
    if kind == "SampledFromStrategy" and not getattr(inner, "_transformations", ()) and inner.elements:
        return inner.elements[0]
    if kind == "BooleansStrategy":
        return False
    if kind == "IntegersStrategy" and getattr(inner, "start", None) is not None:
        return inner.start
    raise NotApplicable(f"draws from {strategy!r}")


def choices(strategy: st.SearchStrategy) -> tuple | None:
    """The values a plain ``sampled_from`` strategy chooses among (None: another kind)."""
    inner: Any = getattr(strategy, "wrapped_strategy", strategy)
    if type(inner).__name__ == "SampledFromStrategy" and not getattr(inner, "_transformations", ()):
        return tuple(inner.elements)
    return None


def anchors_for(spec: Any) -> tuple[AnchorData, ...]:
    """The anchor cases of a declared block (``BlockSpec.anchors``, on its ``base``)."""
    return tuple(AnchorData(spec.key, a, spec.base) for a in spec.anchors)

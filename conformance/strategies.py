"""Hypothesis strategies for example structure: sizes, shapes, seeds, scales and special values.

Strategies are built once, at import: Hypothesis validates a strategy the first time it is drawn
from, so building them per example would cost more than the example itself.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .examples import ArraySpec

SEEDS = st.integers(0, 2**32 - 1)

#: Magnitudes of the bulk values. Shrinks towards 1. Bounded so that no block of the contract can
#: overflow float32 (widths <= 64, depth <= 6, weights <= 1e3), so overflow is never blamed.
SCALES = st.sampled_from([1.0, 1e-3, 1e3, 1e-30, 1e12])
PARAM_SCALES = st.sampled_from([1.0, 1e-3, 1e2])


def _special_values(dtype: str) -> st.SearchStrategy[float]:
    """Values worth placing by hand: signed zeros, +-1, the normal/subnormal boundary, large ones."""
    info = np.finfo(np.dtype(dtype))
    return st.sampled_from([0.0, -0.0, 1.0, -1.0, float(info.tiny), -float(info.tiny),
                            float(info.smallest_subnormal), 0.5, 1e12, -1e12])


SPECIAL_VALUES = {d: _special_values(d) for d in ("float32", "float64")}
SPECIALS = {d: st.lists(st.tuples(st.integers(0, 2**16), v), max_size=4).map(tuple) for d, v in SPECIAL_VALUES.items()}
ARRAY_PARTS = {d: st.tuples(SEEDS, SCALES, s) for d, s in SPECIALS.items()}
PARAM_PARTS = {d: st.none() | st.tuples(SEEDS, PARAM_SCALES, s) for d, s in SPECIALS.items()}


def draw_array(data: st.DataObject, shape: tuple[int, ...], dtype: str, label: str) -> ArraySpec:
    """An ArraySpec of ``shape``: seed, scale and special values drawn as one labelled draw."""
    seed, scale, specials = data.draw(ARRAY_PARTS[dtype], label=label)
    return ArraySpec(tuple(shape), seed, scale, specials)


def draw_params(data: st.DataObject, dtype: str) -> ArraySpec | None:
    """None (keep the block's own init) or values to overwrite every parameter with."""
    parts = data.draw(PARAM_PARTS[dtype], label="parameter values (None: the block's own init)")
    return None if parts is None else ArraySpec((), *parts)


def widths(max_width: int = 8) -> st.SearchStrategy[int]:
    """Feature sizes: mostly small (1 included), now and then up to 64 for longer reductions."""
    return st.integers(1, max_width) | st.integers(max_width + 1, 64)


WIDTHS = widths()


def draw_out_width(draw, in_width: int) -> int:
    """An output width equal to the input width about half the time (square weights hide transposes)."""
    return in_width if draw(st.booleans()) else draw(WIDTHS)


#: Leading dims: none, one or several, zero-size included.
BATCH_DIMS = st.lists(st.integers(0, 4), max_size=3).map(tuple)
#: A batch dimension for blocks that take (batch, F) only.
BATCH_SIZES = st.integers(0, 4)
#: Leading dims with at least one row.
NONEMPTY_BATCH_DIMS = st.lists(st.integers(1, 3), min_size=1, max_size=2).map(tuple)
#: Any shape, scalars and empty tensors included.
ANY_SHAPE = st.lists(st.integers(0, 4), max_size=4).map(tuple)

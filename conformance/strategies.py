"""Hypothesis strategies for example structure: sizes, shapes, seeds, scales and special values."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .examples import ArraySpec

SEEDS = st.integers(0, 2**32 - 1)

#: Magnitudes of the bulk values. Shrinks towards 1. Bounded so that no block of the contract can
#: overflow float32 (widths <= 64, depth <= 6, weights <= 1e3), so overflow is never blamed.
SCALES = st.sampled_from([1.0, 1e-3, 1e3, 1e-30, 1e12])
PARAM_SCALES = st.sampled_from([1.0, 1e-3, 1e2])


def special_values(dtype: str) -> st.SearchStrategy[float]:
    """Values worth placing by hand: signed zeros, +-1, the normal/subnormal boundary, large ones."""
    info = np.finfo(np.dtype(dtype))
    return st.sampled_from([0.0, -0.0, 1.0, -1.0, float(info.tiny), -float(info.tiny),
                            float(info.smallest_subnormal), 0.5, 1e12, -1e12])


def array_specs(shape: tuple[int, ...], dtype: str, scales: st.SearchStrategy[float] = SCALES) -> st.SearchStrategy[ArraySpec]:
    specials = st.lists(st.tuples(st.integers(0, 2**16), special_values(dtype)), max_size=4).map(tuple)
    return st.builds(ArraySpec, st.just(tuple(shape)), SEEDS, scales, specials)


def widths(max_width: int = 8) -> st.SearchStrategy[int]:
    """Feature sizes: mostly small (1 included), now and then up to 64 for longer reductions."""
    return st.integers(1, max_width) | st.integers(max_width + 1, 64)


def out_width(in_width: int) -> st.SearchStrategy[int]:
    """An output width, equal to the input width about half the time (square weights hide transposes)."""
    return st.just(in_width) | widths()


def batch_dims(max_dims: int = 3, max_size: int = 4) -> st.SearchStrategy[tuple[int, ...]]:
    """Leading dims: none, one or several, zero-size included."""
    return st.lists(st.integers(0, max_size), max_size=max_dims).map(tuple)


def nonempty_batch_dims(max_dims: int = 3, max_size: int = 4) -> st.SearchStrategy[tuple[int, ...]]:
    return st.lists(st.integers(1, max_size), min_size=1, max_size=max_dims).map(tuple)

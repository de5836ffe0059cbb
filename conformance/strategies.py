"""Hypothesis strategies for example structure: sizes, shapes, seeds, scales and special values.

Cost model (``benchmarks/draw_cost.py``, Hypothesis 6.15x-6.17x on a 2-core machine): an example
costs about 0.7-1 ms of Hypothesis bookkeeping before any check code runs, and each part drawn
(every ``data.draw``, every element of a tuple or list, every nested draw of an ``@st.composite``)
adds tens of microseconds. The first design (a list of special values per array, composite
strategies, one ``data.draw`` per part) cost 5 ms per forward example; now each check draws its
whole example in one flat ``st.tuples`` of single-choice strategies (1.0-2.0 ms): ``sampled_from``
over catalogues of sizes and shapes that keep the cases that find bugs (size 1, in == out, empty
batches, no batch dim, wide reductions), one seed from which every bulk array's seed is derived,
and an array's scale and special values as one choice among their combinations.

Strategies are built once, at import: Hypothesis validates a strategy the first time it is drawn
from, so building them per example would cost more than the example itself.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .arrays import ArraySpec

SEEDS = st.integers(0, 2**32 - 1)

#: Magnitudes of the bulk values, 1 first (Hypothesis shrinks towards it). Bounded so that no block
#: of the contract can overflow float32 (widths <= 64, depth <= 6, weights <= 1e3), so overflow is
#: never blamed.
SCALES = (1.0, 1e-3, 1e3, 1e-30, 1e12)
#: Parameter magnitudes (when the parameters are overwritten).
PARAM_SCALES = (1.0, 1e-3, 1e2)


def special_sets(dtype: str) -> list[tuple[float, ...]]:
    """Values worth placing by hand, alone or in pairs: signed zeros, +-1, the normal/subnormal
    boundary, the smallest subnormal, large values of both signs. The empty set (no special value)
    comes first (Hypothesis shrinks towards it) and is drawn about a third of the time."""
    info = np.finfo(np.dtype(dtype))
    tiny, sub = float(info.tiny), float(info.smallest_subnormal)
    none: list[tuple[float, ...]] = [()]
    singles: list[tuple[float, ...]] = [(0.0,), (-0.0,), (1.0,), (-1.0,), (tiny,), (-tiny,), (sub,), (0.5,),
                                        (1e12,), (-1e12,)]
    pairs: list[tuple[float, ...]] = [(0.0, -0.0), (-0.0, 0.0), (tiny, -tiny), (1e12, -1e12), (1.0, -1.0), (sub, -sub)]
    return none * 8 + singles + pairs



#: A derived seed's stride: seeds derived from one drawn seed never share a stream prefix.
_STRIDE = 0x9E3779B9


def derive_seed(seed: int, k: int) -> int:
    """The ``k``-th seed derived from a drawn one (k = 0 is the seed itself)."""
    return (seed + k * _STRIDE) % 2**32


def array_spec(shape: tuple[int, ...], seed: int, scale: float, values: tuple[float, ...]) -> ArraySpec:
    """An ArraySpec whose special ``values`` sit at consecutive flat positions chosen by ``seed``
    (wrapped to the array's size when it is built)."""
    start = seed % 65521
    return ArraySpec(tuple(shape), seed, scale, tuple((start + i, v) for i, v in enumerate(values)))


def array_parts(dtype: str) -> st.SearchStrategy[tuple[float, tuple[float, ...]]]:
    """(scale, special values) of an array, as one choice among their combinations (ordered so that
    shrinking goes to scale 1, then to no special value)."""
    return st.sampled_from([(scale, values) for values in special_sets(dtype) for scale in SCALES])


def param_parts(dtype: str) -> st.SearchStrategy[tuple[float, tuple[float, ...]] | None]:
    """None (the block's own initialisation, first, two fifths of the draws) or (scale, special
    values) to overwrite every parameter with, as one choice."""
    overwrite = [(scale, values) for values in special_sets(dtype) for scale in PARAM_SCALES]
    return st.sampled_from([None] * (2 * len(overwrite) // 3) + overwrite)


ARRAY_PARTS = {d: array_parts(d) for d in ("float32", "float64")}
PARAM_PARTS = {d: param_parts(d) for d in ("float32", "float64")}


#: Feature sizes: half of them small (1 included), the others around powers of two (where blocked or
#: vectorised kernels change path) and up to 64 for long reductions.
WIDTH_VALUES = (1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16, 17, 20, 31, 32, 33, 64)
WIDTHS = st.sampled_from(WIDTH_VALUES)
#: An output width: None means "equal to the input width" (a fifth of the draws: square weights
#: hide transposes, so they must not dominate, but in == out is a case of its own).
OUT_WIDTHS = st.sampled_from((None,) * 4 + WIDTH_VALUES)


def out_width(choice: int | None, in_width: int) -> int:
    return in_width if choice is None else choice


#: Leading dims: none, one or several, zero-size included.
BATCH_DIMS = st.sampled_from([(), (2,), (1,), (0,), (3,), (2, 3), (1, 1), (4,), (0, 2), (2, 1, 3), (3, 0)])
#: Leading dims with at least one row.
NONEMPTY_BATCH_DIMS = st.sampled_from([(2,), (1,), (3,), (2, 2), (1, 3), (4,), (3, 1)])
#: Any shape, scalars and empty tensors included.
ANY_SHAPE = st.sampled_from([(), (1,), (3,), (0,), (2, 3), (4, 1), (2, 0), (1, 2, 3), (3, 1, 2, 2), (0, 3, 1),
                             (5, 4)])
NONEMPTY_ANY_SHAPE = st.sampled_from([(1,), (3,), (2, 3), (4, 1), (1, 2, 3), (3, 1, 2, 2), (5, 4), ()])
#: The (batch,) leading dim of blocks that take (batch, F) only, empty batch included.
BATCH = st.sampled_from([(2,), (1,), (0,), (3,), (4,)])
NONEMPTY_BATCH = st.sampled_from([(2,), (1,), (3,), (4,)])
#: Leading dims with at least two rows.
SEVERAL_ROWS = st.sampled_from([(2,), (3,), (2, 2), (1, 3), (4,), (3, 1)])

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

from hypothesis import strategies as st

from conformance.drawing.arrays import LAYOUTS, PARAM_LAYOUTS, ArraySpec

SEEDS = st.integers(0, 2**32 - 1)

#: Magnitudes of the bulk values, 1 first (Hypothesis shrinks towards it). Bounded so that no block
#: of the contract can overflow float32 (widths <= 64, depth <= 6, weights <= 1e3), so overflow is
#: never blamed.
SCALES = (1.0, 1e-3, 1e3, 1e-30, 1e12)
#: Parameter magnitudes (when the parameters are overwritten).
PARAM_SCALES = (1.0, 1e-3, 1e2)

#: Each dtype's range: (smallest normal, smallest subnormal, a large value well inside its range), and
#: bulk magnitudes (input, parameters) that keep float16's narrow range (largest 65504) mostly free of
#: overflow while reaching its subnormals (1e-6); bfloat16 has float32's range.
FORMATS = {
    "float32": (2.0**-126, 2.0**-149, 1e12), "float64": (2.0**-1022, 2.0**-1074, 1e12),
    "float16": (2.0**-14, 2.0**-24, 1e4), "bfloat16": (2.0**-126, 2.0**-133, 1e12),
}
DTYPE_SCALES = {"float16": ((1.0, 1e-3, 30.0, 1e-6, 1e3), (1.0, 1e-3, 10.0))}


INF, NAN = float("inf"), float("nan")
#: Non-finite values, alone or together: what a diverging run hands over. The reference states
#: their IEEE semantics block by block (see its docstrings); the checks compare NaN and infinity
#: positions exactly where the spec determines them.
NONFINITE_SETS: list[tuple[float, ...]] = [(NAN,), (INF,), (-INF,), (INF, -INF), (NAN, INF)]


def special_sets(dtype: str, nonfinite: bool = True) -> list[tuple[float, ...]]:
    """Values worth placing by hand, alone or in pairs: signed zeros, +-1, the normal/subnormal
    boundary, the smallest subnormal, large values of both signs and (``nonfinite``) NaN and
    infinities. The empty set (no special value) comes first (Hypothesis shrinks towards it) and is
    drawn about a third of the time; a non-finite set about a sixth."""
    tiny, sub, big = FORMATS[dtype]
    none: list[tuple[float, ...]] = [()]
    singles: list[tuple[float, ...]] = [(0.0,), (-0.0,), (1.0,), (-1.0,), (tiny,), (-tiny,), (sub,), (0.5,),
                                        (big,), (-big,)]
    pairs: list[tuple[float, ...]] = [(0.0, -0.0), (-0.0, 0.0), (tiny, -tiny), (big, -big), (1.0, -1.0), (sub, -sub)]
    return none * 8 + singles + pairs + (NONFINITE_SETS if nonfinite else [])



#: A derived seed's stride: seeds derived from one drawn seed never share a stream prefix.
_STRIDE = 0x9E3779B9


def derive_seed(seed: int, k: int) -> int:
    """The ``k``-th seed derived from a drawn one (k = 0 is the seed itself)."""
    return (seed + k * _STRIDE) % 2**32


def array_spec(shape: tuple[int, ...], seed: int, scale: float, values: tuple[float, ...],
               layout: str = "contiguous") -> ArraySpec:
    """An ArraySpec whose special ``values`` sit at consecutive flat positions chosen by ``seed``
    (wrapped to the array's size when it is built)."""
    start = seed % 65521
    return ArraySpec(tuple(shape), seed, scale, tuple((start + i, v) for i, v in enumerate(values)), layout)


def weighted_layouts(layouts: tuple[str, ...]) -> list[str]:
    """The contiguous layout half of the time, the others sharing the rest (contiguous first, where
    shrinking goes)."""
    others = [layout for layout in layouts if layout != "contiguous"]
    return ["contiguous"] * max(len(others), 1) + others


#: (scale, special values, layout) of an array.
Parts = tuple[float, tuple[float, ...], str]


def array_parts(dtype: str, nonfinite: bool = True) -> st.SearchStrategy[Parts]:
    """(scale, special values, memory layout) of an array that the block only reads (an input, an
    upstream gradient), as one choice among their combinations (ordered so that shrinking goes to
    the contiguous layout, then to scale 1, then to no special value)."""
    scales = DTYPE_SCALES.get(dtype, (SCALES, PARAM_SCALES))[0]
    return st.sampled_from([(scale, values, layout) for layout in weighted_layouts(LAYOUTS)
                            for values in special_sets(dtype, nonfinite) for scale in scales])


def param_parts(dtype: str, layouts: tuple[str, ...] = PARAM_LAYOUTS) -> st.SearchStrategy[Parts | None]:
    """None (the block's own initialisation, first, two fifths of the draws) or (scale, special
    values, layout) to overwrite every parameter with, as one choice. Parameters stay finite: the
    spec judges non-finite inputs and upstream gradients, not non-finite weights."""
    scales = DTYPE_SCALES.get(dtype, (SCALES, PARAM_SCALES))[1]
    overwrite = [(scale, values, layout) for layout in weighted_layouts(layouts)
                 for values in special_sets(dtype, nonfinite=False) for scale in scales]
    return st.sampled_from([None] * (2 * len(overwrite) // 3) + overwrite)


ARRAY_PARTS = {d: array_parts(d) for d in FORMATS}
#: Contiguous parameters only: for checks that compare two runs bit for bit (a parameter's layout
#: may change a kernel's summation order, so only runs on the same layouts must agree to the bit).
CONTIGUOUS_PARAM_PARTS = {d: param_parts(d, ("contiguous",)) for d in FORMATS}
#: Finite values only: for checks whose spec cannot judge non-finite values (see ``draw_example``).
PARAM_PARTS = {d: param_parts(d) for d in FORMATS}


#: Feature sizes: half of them small (1 included), the others around powers of two (where blocked or
#: vectorised kernels change path) and up to 64 for long reductions.
WIDTH_VALUES = (1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16, 17, 20, 31, 32, 33, 64)
#: Wide layers, where implementations switch kernels: not multiples of 8 (129, 300), multiples of 8
#: but not 16 (200), of 16 but not 32 (144), of 32 but not 64 (160), and the tutorial's 256.
LARGE_WIDTHS = (129, 144, 160, 200, 256, 300)
#: How many times the small catalogues are repeated next to the large entries: about 2% of the
#: width draws are large (a Linear draws two widths; with the large batches about 4% of examples).
SMALL_WEIGHT = 17
WIDTHS = st.sampled_from(WIDTH_VALUES * SMALL_WEIGHT + LARGE_WIDTHS)
#: An output width: None means "equal to the input width" (a fifth of the draws: square weights
#: hide transposes, so they must not dominate, but in == out is a case of its own).
OUT_WIDTHS = st.sampled_from(((None,) * 4 + WIDTH_VALUES) * SMALL_WEIGHT + LARGE_WIDTHS)


def out_width(choice: int | None, in_width: int) -> int:
    return in_width if choice is None else choice


def with_large(small: list, large: list) -> st.SearchStrategy:
    """``small`` repeated so that ``large`` is about 2% of the draws (small first: shrinking goes there)."""
    repeat = max(1, round(49 * len(large) / len(small)))
    return st.sampled_from(small * repeat + large)


#: Batches of several hundred to a few thousand rows (where kernels split work into chunks).
LARGE_ROWS = [(513,), (1000,), (2049,)]
#: Leading dims: none, one or several, zero-size included.
BATCH_DIMS = with_large([(), (2,), (1,), (0,), (3,), (2, 3), (1, 1), (4,), (0, 2), (2, 1, 3), (3, 0)],
                        LARGE_ROWS + [(40, 30)])
#: Leading dims with at least one row.
NONEMPTY_BATCH_DIMS = with_large([(2,), (1,), (3,), (2, 2), (1, 3), (4,), (3, 1)], LARGE_ROWS + [(40, 30)])
#: Any shape, scalars and empty tensors included.
ANY_SHAPE = with_large([(), (1,), (3,), (0,), (2, 3), (4, 1), (2, 0), (1, 2, 3), (3, 1, 2, 2), (0, 3, 1), (5, 4)],
                       [(2049,), (1000, 3), (30, 257)])
NONEMPTY_ANY_SHAPE = with_large([(1,), (3,), (2, 3), (4, 1), (1, 2, 3), (3, 1, 2, 2), (5, 4), ()],
                                [(2049,), (1000, 3), (30, 257)])
#: The (batch,) leading dim of blocks that take (batch, F) only, empty batch included.
BATCH = with_large([(2,), (1,), (0,), (3,), (4,)], LARGE_ROWS)
NONEMPTY_BATCH = with_large([(2,), (1,), (3,), (4,)], LARGE_ROWS)
#: Leading dims with at least two rows (small only: the independence check runs every row alone).
SEVERAL_ROWS = st.sampled_from([(2,), (3,), (2, 2), (1, 3), (4,), (3, 1)])
#: How many times a container's drawn layers are repeated: mostly once, about 5% of the time into a
#: chain of tens of blocks (children "10", "11", ... sort before "2" as strings).
REPEATS = st.sampled_from((1,) * 38 + (6, 12))
#: A large example's cost cap: more rows than this with a layer wider than ``WIDE`` is discarded
#: (a few thousand rows times a few hundred squared would cost seconds in the reference).
MANY_ROWS, WIDE = 256, 64

"""The tolerance policy, in one place.

A value computed by the implementation under test is accepted when, elementwise,

    |actual - expected| <= bound

where ``expected`` is the float64 reference run on the *same* parameters and inputs (converted
exactly to float64), and ``bound`` is the worst-case rounding error of the operation propagated
through the block by the rules in ``reference/bounds.py`` (Higham's gamma_n bounds: they grow with
the reduction length and with the magnitudes summed, ``sum |x_i w_i|``, not with ``|y|``).

The arithmetic judged is described by a ``Precision``:

* ``u`` = unit roundoff of the block's dtype (2**-24 for float32, 2**-53 for float64), plus the
  reference's own float64 unit roundoff (2**-53), since the reference is rounded too.
  On CUDA with TF32 matmuls allowed (``torch.backends.cuda.matmul.allow_tf32``) float32 matmuls
  round to 10 mantissa bits, so ``u`` becomes 2**-11 and the report records it.
* ``tiny`` = the dtype's smallest normal number: the absolute error one operation may add when its
  result underflows (gradual underflow or flush-to-zero alike). This is the floor that results
  near 1e-38 need.
* Half precision (``float16``, ``bfloat16``): the spec's arithmetic is float32 with each stored
  result rounded to the half format, as torch's CPU and CUDA kernels compute (a matmul, a sum or a
  mean accumulates in float32, then rounds once to the tensor's dtype). So ``u``/``tiny`` are
  float32's and every result an operation stores is rounded once more by the format's unit
  roundoff (2**-11 for float16, 2**-8 for bfloat16) and smallest normal number
  (``Precision.store_u``/``store_tiny``). Accumulating a reduction in the half format itself
  (an error growing with the reduction length in units of 2**-11) fails.

Consequences: any correct summation order, fused multiply-add, einsum, or float64 accumulation
passes; computing a float32 block in float16/bfloat16, or a float64 block in float32, fails.
A user may widen a check's bound by a stated factor in the expected-failures file; the report
says so.

Special values: NaN is accepted only where the reference gives NaN, infinities only where it gives
the same infinity (positions and signs exact: the reference's bound there is 0). Where the spec
cannot determine a result's IEEE class (``reference/bounds.py``: an infinity meeting a value within
its error of 0, a subnormal that denormals-are-zero reads as 0, a non-finite upstream gradient at a
ReLU's mask whose input is NaN, within its error of 0, or negative: ``dy * 0`` is 0 or NaN) its
bound is ``inf`` and any value, NaN included, is accepted. Finite examples whose exact magnitudes
could overflow the dtype are discarded by the checks, so overflow is never blamed on the
implementation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from reference.bounds import Precision

UNIT_ROUNDOFF = {torch.float16: 2.0**-11, torch.bfloat16: 2.0**-8, torch.float32: 2.0**-24, torch.float64: 2.0**-53}
REFERENCE_U = 2.0**-53
TF32_U = 2.0**-11


#: Storage formats narrower than their arithmetic: computed in float32, stored rounded.
HALF_DTYPES = (torch.float16, torch.bfloat16)
ACCUMULATION_DTYPE = torch.float32


def precision_for(dtype: torch.dtype, device: str = "cpu", widen: float = 1.0) -> Precision:
    """The arithmetic a correct implementation of a ``dtype`` block on ``device`` may use."""
    if dtype in HALF_DTYPES:
        acc = precision_for(ACCUMULATION_DTYPE, device, widen)
        return Precision(u=acc.u, tiny=acc.tiny, store_u=widen * UNIT_ROUNDOFF[dtype],
                         store_tiny=widen * float(torch.finfo(dtype).tiny))
    u = UNIT_ROUNDOFF[dtype]
    if dtype == torch.float32 and str(device).startswith("cuda") and torch.backends.cuda.matmul.allow_tf32:
        u = TF32_U
    return Precision(u=widen * u + REFERENCE_U, tiny=widen * float(torch.finfo(dtype).tiny))


#: Headroom below the accumulation's largest finite value that every exact intermediate keeps.
OVERFLOW_HEADROOM = 1e4


def overflow_limit(dtype: torch.dtype) -> float:
    """The magnitude every exact intermediate result must stay below for overflow never to be blamed:
    the accumulation's largest value over ``OVERFLOW_HEADROOM`` (a dot product's partial sums may exceed
    its terms and result by the reduction length, <= 1e3 here), and half the stored format's largest
    value (rounding a result below it to the format cannot overflow)."""
    acc = ACCUMULATION_DTYPE if dtype in HALF_DTYPES else dtype
    return min(max_finite(acc) / OVERFLOW_HEADROOM, max_finite(dtype) / 2)


def bound_limit(dtype: torch.dtype) -> float:
    """The largest finite error bound an example may carry: bounds grow with the magnitudes summed, so
    one near ``overflow_limit`` times the dtype's rounding says those magnitudes come near overflow
    (1e-8 of the limit in float32/float64, whose bounds are far below it; 4 units of the half format)."""
    return overflow_limit(dtype) * (4 * UNIT_ROUNDOFF[dtype] if dtype in HALF_DTYPES else 1e-8)


def max_finite(dtype: torch.dtype) -> float:
    return float(torch.finfo(dtype).max)


@dataclass
class Mismatch:
    """The worst offending element of a comparison."""

    index: tuple[int, ...]
    expected: float
    actual: float
    bound: float
    count: int
    total: int

    def describe(self) -> str:
        return (
            f"{self.count} of {self.total} elements out of bounds; worst at index {self.index}: "
            f"expected {self.expected!r}, actual {self.actual!r}, "
            f"|difference| {abs(self.actual - self.expected):.3g} > allowed {self.bound:.3g}"
        )

    def values(self) -> str:
        """The worst element's values in a few words, each with the fewest digits that tell the two
        apart: ``expected 0.0, actual nan``; ``expected 0.3, actual 0.300049``."""
        expected, actual = distinct_values(self.expected, self.actual)
        return f"expected {expected}, actual {actual}"

    def fact(self) -> str:
        """``values`` and, in an output of more than one element, where: ``... at [1, 2]``."""
        where = f" at [{', '.join(map(str, self.index))}]" if self.index and self.total > 1 else ""
        return self.values() + where


def distinct_values(a: float, b: float, digits: int = 6) -> tuple[str, str]:
    """``a`` and ``b`` printed with at least ``digits`` significant digits, more until they read
    differently (at most 17, where every float64 reads as itself); a value that needs no more
    digits than that reads as Python prints it (``0.0``, ``nan``, ``-inf``, ``1e-45``)."""
    for n in range(digits, 18):
        if f"{a:.{n}g}" != f"{b:.{n}g}":
            return compact(a, n), compact(b, n)
    return repr(a), repr(b)


def compact(value: float, digits: int = 6) -> str:
    """``value`` with ``digits`` significant digits, or as Python prints it where that is as short
    and exact (``0.0``, ``nan``, ``-inf``, ``1e-45``)."""
    short = f"{value:.{digits}g}"
    return repr(value) if value != value or float(short) == value else short


def compare(actual: np.ndarray, expected: np.ndarray, bound: np.ndarray) -> Mismatch | None:
    """Elementwise comparison under the policy; ``None`` when every element is accepted."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    bound = np.broadcast_to(np.asarray(bound, dtype=np.float64), expected.shape)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(actual - expected)
        finite = np.isfinite(expected)
        ok = np.where(finite, diff <= bound, False)
        ok |= np.isnan(expected) & np.isnan(actual)
        ok |= np.isinf(expected) & (actual == expected)
        ok |= bound == np.inf  # the spec does not determine this result
    if np.isnan(bound).any():  # a bound the suite derived wrongly must not accept everything
        raise ValueError("suite error: a rounding-error bound is NaN (reference/bounds.py)")
    if ok.all():
        return None
    bad = ~ok
    with np.errstate(invalid="ignore"):  # inf - inf: an infinite output where the spec's is (nan: worst)
        score = np.where(bad, np.nan_to_num(diff - bound, nan=np.inf, posinf=np.inf), -np.inf)
    flat = int(np.argmax(score))
    index = tuple(int(i) for i in np.unravel_index(flat, expected.shape)) if expected.ndim else ()
    return Mismatch(index, float(expected.flat[flat]), float(actual.flat[flat]), float(bound.flat[flat]),
                    int(bad.sum()), int(bad.size))

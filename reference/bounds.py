"""Rounding-error rules: how far a correct floating-point implementation may be from exact arithmetic.

Each rule bounds, elementwise, ``|computed - exact|`` for one operation when its operands already
carry errors ``ea``, ``eb`` (absolute, elementwise) and the operation itself is carried out in an
arithmetic of unit roundoff ``u``. They follow the standard model fl(a op b) = (a op b)(1 + d) + e,
|d| <= u, |e| <= tiny, which holds for IEEE arithmetic with or without flush-to-zero, with or
without fused multiply-add, and for any order of summation (Higham, *Accuracy and Stability of
Numerical Algorithms*, 2nd ed., sections 2.2, 3.1 and 4.2; ``gamma(n) = n u / (1 - n u)``).

Flush-to-zero (results) and denormals-are-zero (operands), as ``torch.set_flush_denormal(True)``
and GPU fast-math set them, are covered: every rounding may lose ``tiny``, and every product may
lose ``tiny`` times its other factor.

The bounds are worst-case: a correct implementation can never exceed them, whatever order it sums
in, while an implementation that works in a coarser arithmetic (half precision for a float32
block, float32 for a float64 block) does, on all but contrived inputs.

Non-finite values (IEEE 754): a product is NaN when a factor is NaN or it is inf * 0, else +-inf
when a factor is infinite; a sum is NaN when a term is NaN or it has infinities of both signs, else
+-inf when a term is infinite. Any summation order gives the same NaN/inf positions and signs, so
the spec *determines* them: their error bound is 0 and they are compared exactly. Where it does not
(an infinite factor meets one whose sign or zeroness is within its error, or a subnormal one that
denormals-are-zero arithmetic reads as 0; an operand itself undetermined), the bound is ``inf``:
any value, NaN included, is accepted there. ``ieee_matmul`` gives the values; every rule below
gives 0 at determined non-finite results, ``inf`` at undetermined ones, and its finite-arithmetic
bound elsewhere. Bounds are never NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Precision", "gamma", "matmul_error", "affine_error", "add_error", "sum_error", "scale_error",
           "ieee_matmul", "ambiguous"]

INF = float("inf")


@dataclass(frozen=True)
class Precision:
    """The arithmetic being judged: unit roundoff ``u`` and the absolute error ``tiny`` that one
    rounding may add when its result underflows (the smallest normal number, which covers
    flush-to-zero as well as gradual underflow).

    A storage format narrower than the arithmetic (``store_u`` > 0: float16 and bfloat16 tensors,
    computed in float32 as torch's CPU and CUDA kernels do) rounds every result an operation stores
    once more, by ``store_u`` relative and ``store_tiny`` absolute (that format's smallest normal
    number); the accumulation inside a reduction stays in the arithmetic (``u``, ``tiny``). A rule
    covering several operations (an affine map, a mean) allows one storage rounding per operation,
    since an implementation may store each intermediate."""

    u: float
    tiny: float
    store_u: float = 0.0
    store_tiny: float = 0.0

    def elementwise(self) -> "Precision":
        """The arithmetic of a chain of elementwise operations each of whose results is stored: one
        unit of both roundings per operation (``u + store_u``, ``tiny + store_tiny``)."""
        if not self.store_u:
            return self
        return Precision(self.u + self.store_u, self.tiny + self.store_tiny)

    def stored(self, value, err):
        """``err`` plus one rounding to the storage format of a result within ``err`` of ``value``
        (``err`` unchanged where the storage format is the arithmetic's)."""
        if not self.store_u:
            return err
        with np.errstate(invalid="ignore", over="ignore"):
            return err + self.store_u * (np.abs(value) + err) + self.store_tiny


def gamma(n: int | float, prec: Precision) -> float:
    """Higham's gamma_n = n u / (1 - n u): the relative error bound of n successive roundings."""
    nu = n * prec.u
    return float("inf") if nu >= 1 else nu / (1 - nu)


def matmul_error(a, ea, b, eb, prec: Precision) -> np.ndarray:
    """Bound on |fl(a' @ b') - a @ b| (see ``_matmul_error``), with non-finite operands (module docstring)."""
    if _finite(a, ea, b, eb):
        return _matmul_error(a, ea, b, eb, prec)
    a0, ea0, b0, eb0 = _sanitized(a, ea, b, eb)
    return _nonfinite_result(_matmul_error(a0, ea0, b0, eb0, prec), ieee_matmul(a, b),
                             _undetermined(a, ea, b, eb, prec))


def _matmul_error(a, ea, b, eb, prec: Precision) -> np.ndarray:
    """Bound on |fl(a' @ b') - a @ b| for |a' - a| <= ea, |b' - b| <= eb; reduction length n = a.shape[-1].

    Propagated error |a| eb + ea |b| + ea eb, plus the dot products' own rounding
    gamma_n (|a| + ea)(|b| + eb), plus 2 n tiny for n products and n additions that may underflow,
    plus the result's storage rounding (``Precision.stored``).
    """
    n = a.shape[-1]
    abs_a, abs_b = np.abs(a), np.abs(b)
    propagated = abs_a @ eb + ea @ abs_b + ea @ eb
    rounding = gamma(n, prec) * ((abs_a + ea) @ (abs_b + eb))
    err = propagated + rounding + 2 * n * prec.tiny + _flushed_inputs(abs_a + ea, abs_b + eb, prec)
    return prec.stored(a @ b, err) if prec.store_u else err


def _flushed_inputs(abs_a, abs_b, prec: Precision) -> np.ndarray:
    """Denormals-are-zero arithmetic reads a subnormal operand (|v| < tiny) as 0: each product
    a_ik b_kj may then lose up to tiny * |other factor| (over k, in each matrix of a stack of b)."""
    over_k = abs_b.sum(axis=-2) if abs_b.ndim <= 2 else abs_b.sum(axis=-2, keepdims=True)
    return prec.tiny * (abs_a.sum(axis=-1, keepdims=True) + over_k)


def affine_error(x, ex, w, b, prec: Precision) -> np.ndarray:
    """Bound on |fl(x' @ w.T + b) - (x @ w.T + b)| (see ``_affine_error``), with non-finite operands."""
    if _finite(x, ex, w) and (b is None or _finite(b)):
        return _affine_error(x, ex, w, b, prec)
    x0, ex0, w0 = _sanitized(x, ex, w)
    b0 = None if b is None else _sanitized(b)[0]
    with np.errstate(invalid="ignore", over="ignore"):
        value = ieee_matmul(x, w.T) + (0.0 if b is None else b)
    und = _undetermined(x, ex, w.T, np.zeros(w.T.shape), prec)
    return _nonfinite_result(_affine_error(x0, ex0, w0, b0, prec), value, und)


def _affine_error(x, ex, w, b, prec: Precision) -> np.ndarray:
    """Bound on |fl(x' @ w.T + b) - (x @ w.T + b)| for |x' - x| <= ex and exact w, b.

    The bias is one more summand of each output, not a final addition: an implementation may
    start its accumulation from it (BLAS ``gemm`` with beta = 1 does), so each output is a sum of
    n + 1 terms in an unknown order. In a narrower storage format the product may be stored before
    the bias is added (``x @ w.T + b`` as two operations): two storage roundings.
    """
    n = x.shape[-1]
    abs_w = np.abs(w)
    magnitude = (np.abs(x) + ex) @ abs_w.T
    if b is not None:
        magnitude = magnitude + np.abs(b)
    terms = n + (b is not None)
    flushed = _flushed_inputs(np.abs(x) + ex, abs_w.T, prec)
    if b is not None:
        flushed = flushed + prec.tiny
    err = ex @ abs_w.T + gamma(terms, prec) * magnitude + 2 * terms * prec.tiny + flushed
    if not prec.store_u:
        return err
    product = x @ w.T
    if b is not None:
        err = prec.stored(product, err)  # the product stored, then the bias added
        product = product + b
    return prec.stored(product, err)


def add_error(a, ea, b, eb, prec: Precision) -> np.ndarray:
    """Bound on |fl(a' + b') - (a + b)|: the operands' errors plus one rounding of the sum."""
    if not _finite(a, ea, b, eb):
        a0, ea0, b0, eb0 = _sanitized(a, ea, b, eb)
        with np.errstate(invalid="ignore"):
            value = a + b
        return _nonfinite_result(add_error(a0, ea0, b0, eb0, prec), value, np.isinf(ea) | np.isinf(eb))
    return prec.stored(a + b, ea + eb + prec.u * (np.abs(a + b) + ea + eb) + prec.tiny)


def sum_error(a, ea, axis, prec: Precision) -> np.ndarray:
    """Bound on |fl(sum(a', axis)) - sum(a, axis)| for any summation order."""
    a = np.asarray(a)
    if not _finite(a, ea):
        a0, ea0 = _sanitized(a, ea)
        with np.errstate(invalid="ignore"):
            value = np.sum(a, axis=axis)
        und = np.any(np.isinf(np.broadcast_to(ea, a.shape)), axis=axis)
        return _nonfinite_result(sum_error(a0, ea0, axis, prec), value, und)
    n = a.size if axis is None else np.prod([a.shape[i] for i in np.atleast_1d(axis)])
    magnitude = np.sum(np.abs(a) + ea, axis=axis)
    return prec.stored(np.sum(a, axis=axis), np.sum(ea, axis=axis) + gamma(max(n - 1, 0), prec) * magnitude
                       + n * prec.tiny)


def scale_error(a, ea, c: float, prec: Precision) -> np.ndarray:
    """Bound on |fl(c a') - c a| for an exact constant c: the scaled error plus one rounding."""
    return prec.stored(c * a, abs(c) * ea + prec.u * abs(c) * (np.abs(a) + ea) + prec.tiny)


# -- non-finite values -------------------------------------------------------------------------------
def _finite(*arrays) -> bool:
    return all(bool(np.isfinite(a).all()) for a in arrays)


def _sanitized(*arrays):
    """The arrays with every non-finite entry replaced by 0 (for the finite-arithmetic rules)."""
    return tuple(np.where(np.isfinite(a), a, 0.0) for a in arrays)


def _nonfinite_result(error, value, undetermined) -> np.ndarray:
    """The bound at each result: ``inf`` where undetermined, 0 where the result is a determined NaN
    or infinity, ``error`` (the finite rule on sanitized operands) elsewhere."""
    return np.where(undetermined, INF, np.where(np.isfinite(value), error, 0.0))


def ambiguous(v, e, prec: Precision) -> np.ndarray:
    """Entries whose IEEE class as a factor of an infinity is not determined: undetermined ones
    (``e`` infinite), finite ones within their error of 0 (the sign, or zero against nonzero, may
    differ) and subnormal ones (denormals-are-zero arithmetic reads them as 0)."""
    v, e = np.asarray(v), np.asarray(e)
    with np.errstate(invalid="ignore"):
        near_zero = ((e > 0) & (np.abs(v) <= e)) | ((v != 0) & (np.abs(v) < prec.tiny))
    return np.isinf(e) | (np.isfinite(v) & near_zero)


def _indicator(mask) -> np.ndarray:
    return np.asarray(mask, dtype=np.float64)


def _undetermined(a, ea, b, eb, prec: Precision) -> np.ndarray:
    """Results of a @ b whose IEEE class the spec cannot determine: an infinite factor times an
    ambiguous one, or any undetermined factor."""
    ones_a, ones_b = np.ones(np.shape(a)), np.ones(np.shape(b))
    count = (_indicator(np.isinf(a)) @ _indicator(ambiguous(b, eb, prec))
             + _indicator(ambiguous(a, ea, prec)) @ _indicator(np.isinf(b))
             + _indicator(np.isinf(ea)) @ ones_b + ones_a @ _indicator(np.isinf(eb)))
    return count > 0


def ieee_matmul(a, b) -> np.ndarray:
    """``a @ b`` (b 2-d) with IEEE semantics for NaN and infinities, whatever the BLAS: a result is
    NaN when a term is NaN (a NaN factor, or inf * 0) or infinities of both signs meet, else +-inf
    when a term is infinite, else the finite sum."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if _finite(a, b):
        return a @ b
    a0, b0 = _sanitized(a, b)
    y = a0 @ b0
    ia, ib = np.isinf(a), np.isinf(b)
    pa, na, pb, nb = a > 0, a < 0, b > 0, b < 0
    ind = _indicator
    nan = (ind(np.isnan(a)) @ np.ones(b.shape) + np.ones(a.shape) @ ind(np.isnan(b))
           + ind(ia) @ ind(b == 0) + ind(a == 0) @ ind(ib))
    pinf = ind(ia & pa) @ ind(pb) + ind(ia & na) @ ind(nb) + ind(pa & ~ia) @ ind(ib & pb) + ind(na & ~ia) @ ind(ib & nb)
    ninf = ind(ia & pa) @ ind(nb) + ind(ia & na) @ ind(pb) + ind(pa & ~ia) @ ind(ib & nb) + ind(na & ~ia) @ ind(ib & pb)
    y = np.where(pinf > 0, INF, np.where(ninf > 0, -INF, y))
    return np.where((nan > 0) | ((pinf > 0) & (ninf > 0)), np.nan, y)

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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Precision", "gamma", "matmul_error", "affine_error", "add_error", "sum_error", "scale_error"]


@dataclass(frozen=True)
class Precision:
    """The arithmetic being judged: unit roundoff ``u`` and the absolute error ``tiny`` that one
    rounding may add when its result underflows (the smallest normal number, which covers
    flush-to-zero as well as gradual underflow)."""

    u: float
    tiny: float


def gamma(n: int | float, prec: Precision) -> float:
    """Higham's gamma_n = n u / (1 - n u): the relative error bound of n successive roundings."""
    nu = n * prec.u
    return float("inf") if nu >= 1 else nu / (1 - nu)


def matmul_error(a, ea, b, eb, prec: Precision) -> np.ndarray:
    """Bound on |fl(a' @ b') - a @ b| for |a' - a| <= ea, |b' - b| <= eb; reduction length n = a.shape[-1].

    Propagated error |a| eb + ea |b| + ea eb, plus the dot products' own rounding
    gamma_n (|a| + ea)(|b| + eb), plus 2 n tiny for n products and n additions that may underflow.
    """
    n = a.shape[-1]
    abs_a, abs_b = np.abs(a), np.abs(b)
    propagated = abs_a @ eb + ea @ abs_b + ea @ eb
    rounding = gamma(n, prec) * ((abs_a + ea) @ (abs_b + eb))
    return propagated + rounding + 2 * n * prec.tiny + _flushed_inputs(abs_a + ea, abs_b + eb, prec)


def _flushed_inputs(abs_a, abs_b, prec: Precision) -> np.ndarray:
    """Denormals-are-zero arithmetic reads a subnormal operand (|v| < tiny) as 0: each product
    a_ik b_kj may then lose up to tiny * |other factor|."""
    return prec.tiny * (abs_a.sum(axis=-1, keepdims=True) + abs_b.sum(axis=0))


def affine_error(x, ex, w, b, prec: Precision) -> np.ndarray:
    """Bound on |fl(x' @ w.T + b) - (x @ w.T + b)| for |x' - x| <= ex and exact w, b.

    The bias is one more summand of each output, not a final addition: an implementation may
    start its accumulation from it (BLAS ``gemm`` with beta = 1 does), so each output is a sum of
    n + 1 terms in an unknown order.
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
    return ex @ abs_w.T + gamma(terms, prec) * magnitude + 2 * terms * prec.tiny + flushed


def add_error(a, ea, b, eb, prec: Precision) -> np.ndarray:
    """Bound on |fl(a' + b') - (a + b)|: the operands' errors plus one rounding of the sum."""
    return ea + eb + prec.u * (np.abs(a + b) + ea + eb) + prec.tiny


def sum_error(a, ea, axis, prec: Precision) -> np.ndarray:
    """Bound on |fl(sum(a', axis)) - sum(a, axis)| for any summation order."""
    a = np.asarray(a)
    n = a.size if axis is None else np.prod([a.shape[i] for i in np.atleast_1d(axis)])
    magnitude = np.sum(np.abs(a) + ea, axis=axis)
    return np.sum(ea, axis=axis) + gamma(max(n - 1, 0), prec) * magnitude + n * prec.tiny


def scale_error(a, ea, c: float, prec: Precision) -> np.ndarray:
    """Bound on |fl(c a') - c a| for an exact constant c: the scaled error plus one rounding."""
    return abs(c) * ea + prec.u * abs(c) * (np.abs(a) + ea) + prec.tiny

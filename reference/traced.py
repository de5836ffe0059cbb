"""An array that carries a rounding-error bound through every NumPy operation a reference uses, and
records them for reverse-mode differentiation: a user's plain NumPy forward, run on ``Bounded``
arrays, yields its value, a rigorous per-element bound on how far a correct implementation in a
given arithmetic (``Precision``) may be from it, and its gradients with their own bounds.

``evaluate(fn, inputs, prec, gy)`` is the entry point. Each operation's rule is the one
``bounds.py`` states for the built-in blocks (Higham's standard model: every rounding may add a
relative error ``u`` and an absolute ``tiny``; any summation order), applied to the operands' bounds:

* sums, means and matrix products: ``gamma_n`` of the magnitudes summed (``bounds.sum_error``,
  ``matmul_error``); a mean is a sum and a division in any order (``gamma_{n+1}``). A reduction's
  result stays *open* until another operation reads it: an addition may be fused into its
  accumulation (gemm with ``beta = 1``: one more term), a scaling by a constant may be applied to
  each term before the sum (a mean computed as ``sum(x / n)``); the bound is the larger of the two
  readings;
* products and quotients: the exact propagation of the operands' bounds (``|a| eb + ea |b| + ea eb``;
  ``(ea + |a/b| eb) / (|b| - eb)``) plus one rounding;
* monotone functions (``sqrt``, ``exp``, ``log``, ``tanh``, powers, ``log1p``, ``expm1``, ``arctan``,
  and ``scipy.special``'s ``erf``, ``erfc``, ``expit``): the largest change of the function over the
  operand's interval, plus its own error (``ULPS``: correctly rounded ``sqrt``, one ulp for exp, log,
  tanh and pow as glibc's, SLEEF's and CUDA's are, OpenCL's required accuracy for the others);
* ``maximum``, ``abs``, indexing, reshapes: exact, 1-Lipschitz (a maximum surely decided, one operand
  above the other by more than their bounds, has the chosen operand's bound alone);
* comparisons: 0/1 whose bound is 1 where the operands are within their bounds of each other (a
  correct implementation may decide either way), so a ``where`` or a mask there accepts either
  branch.

Non-finite values follow ``bounds.py``: a NaN or infinity the reference computes from determined
operands is required exactly (bound 0); where an operand's bound is infinite (undetermined), so is
the result's. An operation without a rule raises ``UnsupportedOperation`` naming it.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin

from .bounds import INF, Precision, ambiguous, gamma, ieee_matmul, matmul_error, sum_error

__all__ = ["Bounded", "UnsupportedOperation", "evaluate", "Evaluation", "EXACT", "ULPS", "detached"]

#: The exact arithmetic: values only, every bound 0 (gradients without bounds).
EXACT = Precision(u=0.0, tiny=0.0)
#: Error of an operation in units of ``u`` (one ulp is 2 u): sqrt is correctly rounded by IEEE 754;
#: exp, log, tanh and pow stay within one ulp in glibc and SLEEF (torch's vectorised CPU kernels)
#: and CUDA's libdevice; a division may be carried out as a product with the rounded reciprocal.
#: The functions added for declared blocks take the minimum accuracy OpenCL requires of a
#: conforming implementation (its full profile, single precision): log1p 2 ulps, expm1 3, atan 5,
#: erf and erfc 16, erf's of its range (|erf| <= 1: vectorised kernels, torch's GELU among them, are
#: accurate in absolute terms, about 8 ulps of 1 near erf = -1 and near 0); the logistic sigmoid
#: (``scipy.special.expit``, computed as ``1 / (1 + exp(-x))``) exp's 3 ulps, the addition's and the
#: division's roundings, 5 ulps. Half formats still fail: their ulp is 2^13 times float32's.
ULPS = {"sqrt": 1.0, "exp": 2.0, "log": 2.0, "tanh": 2.0, "power": 2.0, "divide": 2.0,
        "log1p": 4.0, "expm1": 6.0, "arctan": 10.0, "erf": 32.0, "erfc": 32.0, "expit": 10.0}


class UnsupportedOperation(TypeError):
    """The reference used a NumPy operation ``reference.traced`` has no error-bound rule for."""


class _State:
    prec: Precision = EXACT
    recording: bool = False
    kinks: list[np.ndarray] = []  # |a - b| of every comparison (where the function may not be smooth)
    peak: float = 0.0             # the largest finite |value| of any intermediate result (how near overflow)


def _gamma_array(n: np.ndarray, prec: Precision) -> np.ndarray:
    nu = np.asarray(n, dtype=np.float64) * prec.u
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(nu >= 1, INF, nu / (1 - nu))


class Bounded(NDArrayOperatorsMixin):
    """A float64 ``value`` with an elementwise error bound ``err`` and, when it depends on an input
    being differentiated, its place on the tape (``parents``, ``vjp``)."""

    __array_priority__ = 1000

    def __init__(self, value: Any, err: Any = None, parents: tuple = (), vjp: Callable | None = None,
                 requires_grad: bool = False, fused: tuple | None = None) -> None:
        self.value = np.asarray(value, dtype=np.float64)
        self.err = np.zeros(self.value.shape) if err is None else np.broadcast_to(err, self.value.shape)
        self.parents, self.vjp = parents, vjp
        self.requires_grad = requires_grad or bool(parents)
        self.fused = fused  # an open reduction: (propagated error, magnitude summed, roundings of its terms)

    # -- what a reference reads -----------------------------------------------------------------
    shape = property(lambda self: self.value.shape)
    ndim = property(lambda self: self.value.ndim)
    size = property(lambda self: self.value.size)
    dtype = property(lambda self: self.value.dtype)
    T = property(lambda self: np.transpose(self))
    mT = property(lambda self: np.swapaxes(self, -1, -2))

    def __len__(self) -> int:
        return len(self.value)

    def __bool__(self) -> bool:
        return bool(self.value)

    def __float__(self) -> float:
        return float(self.value)

    def __repr__(self) -> str:
        return f"Bounded({self.value!r}, err={self.err!r})"

    def __array__(self, dtype=None, copy=None):  # noqa: ANN001 - NumPy's protocol
        raise UnsupportedOperation("a Bounded array was converted to a plain ndarray (np.asarray, np.array or an "
                                   "operation without a rule): its error bound would be lost")

    def reshape(self, *shape: Any) -> Any:
        return np.reshape(self, shape[0] if len(shape) == 1 else shape)  # type: ignore[call-overload]

    def transpose(self, *axes: Any) -> Any:
        return np.transpose(self, axes or None)  # type: ignore[call-overload]

    def sum(self, axis: Any = None, keepdims: bool = False) -> "Bounded":
        return np.sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> "Bounded":
        return np.mean(self, axis=axis, keepdims=keepdims)

    def var(self, axis: Any = None, keepdims: bool = False, ddof: int = 0) -> "Bounded":
        return np.var(self, axis=axis, keepdims=keepdims, ddof=ddof)

    def max(self, axis: Any = None, keepdims: bool = False) -> "Bounded":
        return np.max(self, axis=axis, keepdims=keepdims)

    def min(self, axis: Any = None, keepdims: bool = False) -> "Bounded":
        return np.min(self, axis=axis, keepdims=keepdims)

    def __getitem__(self, key: Any) -> "Bounded":
        key = _plain_key(key)
        shape = self.shape

        def vjp(g: Bounded) -> tuple:
            return (_scatter_add(g, key, shape),)

        return _make(self.value[key], self.err[key], (self,), vjp)

    # -- NumPy's dispatch ---------------------------------------------------------------------------
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        rule = UFUNCS.get(ufunc.__name__)
        if method != "__call__" or rule is None or kwargs.get("out") is not None:
            what = ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}"
            raise UnsupportedOperation(_unsupported(what))
        extra = {k: v for k, v in kwargs.items() if k not in ("out", "dtype", "casting") or v is not None}
        if extra and ufunc.__name__ != "matmul":
            raise UnsupportedOperation(_unsupported(f"{ufunc.__name__}(..., {', '.join(extra)}=...)"))
        return rule(*inputs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        rule = FUNCTIONS.get(func.__name__)
        if rule is None:
            raise UnsupportedOperation(_unsupported(func.__name__))
        return rule(*args, **kwargs)


def _unsupported(name: str) -> str:
    """Why an operation is refused, naming it as the reference calls it (``numpy.sort``; a ufunc from
    outside NumPy, such as one of scipy.special's, by its name)."""
    head = name.split("(")[0]
    qualified = (name if "." in head else f"numpy.{name}" if hasattr(np, head) else
                 f"{name} (a ufunc outside NumPy, such as scipy.special's)")
    return (f"reference.traced has no error-bound rule for {qualified}: write the reference with the "
            f"operations it has ({', '.join(sorted(set(UFUNCS) | set(FUNCTIONS)))}), or declare "
            "tolerance= (a relative bound of your own: docs/adding_a_block.md, section 3)")


def detached(a: Any) -> Any:
    """``a`` as a constant: the same value and bound, no gradient (``torch.Tensor.detach``); a reference
    uses it where the spec says a value is read but not trained (an Embedding's padding row)."""
    return Bounded(a.value, a.err) if isinstance(a, Bounded) else a


def lift(a: Any) -> Bounded:
    """An operand as a ``Bounded`` (a plain array or number is exact and constant). ``None`` (which
    NumPy would read as NaN) is refused: it is a declared tensor the forward takes under another
    name, left at its default."""
    if isinstance(a, Bounded):
        return a
    if a is None or np.asarray(a).dtype == object:
        raise TypeError(f"an operand of the declared forward is {a!r}, not a number or an array: does the "
                        "forward take a declared parameter or argument under another name (a keyword left at "
                        "its default None)?")
    return Bounded(a)


def _make(value: Any, err: Any, parents: tuple, vjp: Callable, fused: tuple | None = None) -> Bounded:
    magnitude = np.abs(np.asarray(value, dtype=np.float64))
    peak = float(np.max(magnitude, initial=0.0, where=np.isfinite(magnitude)))
    if _overflowed(magnitude, parents):  # (the largest finite value: far past any dtype's overflow limit)
        peak = float(np.finfo(np.float64).max)
    _State.peak = max(_State.peak, peak)
    live = tuple(p for p in parents if isinstance(p, Bounded) and p.requires_grad)
    if _State.recording and live:
        return Bounded(value, err, parents, vjp, fused=fused)
    return Bounded(value, err, fused=fused)


def _overflowed(magnitude: np.ndarray, parents: tuple) -> bool:
    """An infinite result of operands that are all finite: the float64 reference overflowed, so the
    exact value is beyond every dtype's range (the example is then discarded, as near-overflow ones
    are: the spec says nothing of overflow). Operands are read whole, not element by element: a
    product's or a reduction's result does not line up with its operands' entries (a square matmul
    would broadcast as if it did), and an operand holding an infinity anywhere may be its cause."""
    if not np.isinf(magnitude).any():
        return False
    operands = [np.asarray(p.value if isinstance(p, Bounded) else p) for p in parents]
    return all(bool(np.isfinite(v).all()) for v in operands if v.dtype.kind in "fc")


def _plain_key(key: Any) -> Any:
    if isinstance(key, tuple):
        return tuple(_plain_key(k) for k in key)
    return key.value.astype(np.intp) if isinstance(key, Bounded) else key


def _settle(value: np.ndarray, err: np.ndarray, *operands: Bounded, undetermined: Any = False) -> np.ndarray:
    """The bound where results are not finite: 0 where the reference's NaN or infinity is determined,
    ``inf`` where an elementwise operand's bound is infinite (or ``undetermined``); a NaN bound is ``inf``."""
    with np.errstate(invalid="ignore"):
        err = np.where(np.isfinite(value), err, 0.0)
        und = np.broadcast_to(np.asarray(undetermined, dtype=bool), np.shape(value))
        for o in operands:
            und = und | np.broadcast_to(np.isinf(o.err), np.shape(value))
        return np.where(und | np.isnan(err), INF, err)


def _rounding(value: np.ndarray, propagated: np.ndarray, ulps: float = 1.0) -> np.ndarray:
    """One rounding of a result within ``propagated`` of ``value``: ``ulps u`` of it, plus ``tiny``,
    then its storage (``Precision.stored``: a float16 result computed in float32 is rounded again)."""
    prec = _State.prec
    with np.errstate(invalid="ignore", over="ignore"):
        return prec.stored(value, propagated + ulps * prec.u * (np.abs(value) + propagated) + prec.tiny)


# -- arithmetic ---------------------------------------------------------------------------------------
def _sanitized(v: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(v), v, 0.0)


def add(a: Any, b: Any, sign: float = 1.0) -> Bounded:
    a, b = lift(a), lift(b)
    with np.errstate(invalid="ignore", over="ignore"):
        value = a.value + sign * b.value
        err = _rounding(value, a.err + b.err)
        if a.fused is not None or b.fused is not None:  # an addition fused into a reduction's accumulation
            for prod, other in ((a, b), (b, a)):
                if prod.fused is not None:
                    prop, mag, n = prod.fused
                    joined = prop + other.err + gamma(n + 1, _State.prec) * (mag + np.abs(other.value) + other.err)
                    err = np.maximum(err, _State.prec.stored(value, joined + 2 * _State.prec.tiny))
    err = _settle(value, err, a, b)
    shape_a, shape_b = a.shape, b.shape

    def vjp(g: Bounded) -> tuple:
        return _unbroadcast(g, shape_a), _unbroadcast(-g if sign < 0 else g, shape_b)

    return _make(value, err, (a, b), vjp)


def subtract(a: Any, b: Any) -> Bounded:
    return add(a, b, -1.0)


def negative(a: Any) -> Bounded:
    a = lift(a)
    return _make(-a.value, a.err, (a,), lambda g: (-g,))


def positive(a: Any) -> Bounded:
    return lift(a)


def multiply(a: Any, b: Any) -> Bounded:
    a, b = lift(a), lift(b)
    with np.errstate(invalid="ignore", over="ignore"):
        value = a.value * b.value
        sa, sb = _sanitized(a.value), _sanitized(b.value)
        prop = np.abs(sa) * b.err + a.err * np.abs(sb) + a.err * b.err
        flushed = _State.prec.tiny * (np.abs(sa) + a.err + np.abs(sb) + b.err)  # a subnormal factor read as 0
        err = np.maximum(_rounding(value, prop) + flushed, _scaled_terms(a, b))
        und = (np.isinf(a.value) & ambiguous(b.value, b.err, _State.prec)) | (
            np.isinf(b.value) & ambiguous(a.value, a.err, _State.prec))
    err = _settle(value, err, a, b, undetermined=und)
    shape_a, shape_b = a.shape, b.shape

    def vjp(g: Bounded) -> tuple:
        return _unbroadcast(g * b, shape_a), _unbroadcast(g * a, shape_b)

    return _make(value, err, (a, b), vjp)


def _constant(a: Bounded) -> bool:
    return not a.requires_grad and a.fused is None and not np.any(a.err) and bool(np.isfinite(a.value).all())


def _scaled_terms(a: Bounded, b: Bounded) -> Any:
    """A reduction scaled by a constant, the scaling applied to each term before the sum (two more
    roundings per term: the constant's and the product's); 0 where neither operand is such a pair."""
    for red, c in ((a, b), (b, a)):
        if red.fused is not None and _constant(c):
            prop, mag, n = red.fused
            with np.errstate(invalid="ignore", over="ignore"):
                scaled = np.abs(c.value) * (prop + gamma(n + 2, _State.prec) * mag) + 2 * _State.prec.tiny
                return _State.prec.stored(c.value * red.value, scaled)
    return 0.0


def divide(a: Any, b: Any) -> Bounded:
    a, b = lift(a), lift(b)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        value = a.value / b.value
        margin = np.abs(b.value) - b.err
        prop = np.where(margin > 0, (a.err + np.abs(_sanitized(value)) * b.err) / np.where(margin > 0, margin, 1.0),
                        INF)
        err = _rounding(value, prop, ULPS["divide"])
        if a.fused is not None and _constant(b) and np.all(b.value != 0):
            err = np.maximum(err, _scaled_terms(a, Bounded(1.0 / b.value)))
        # a divisor within its bound of 0: the quotient is undetermined, 0 / 0 included (an exp that
        # underflowed to 0 in the reference is a tiny positive number elsewhere); a NaN operand's NaN is not
        und = ambiguous(b.value, b.err, _State.prec) & ~(np.isnan(a.value) | np.isnan(b.value))
    err = _settle(value, err, a, b, undetermined=und & (margin <= 0))
    shape_a, shape_b = a.shape, b.shape

    def vjp(g: Bounded) -> tuple:
        return _unbroadcast(g / b, shape_a), _unbroadcast(-(g * a) / (b * b), shape_b)

    return _make(value, err, (a, b), vjp)


def _interval_change(f: Callable, v: np.ndarray, e: np.ndarray, lo: float = -INF,
                     inner: tuple[float, ...] = ()) -> np.ndarray:
    """The largest |f(t) - f(v)| over |t - v| <= e (endpoints, and the points ``inner`` inside),
    ``inf`` where the interval leaves f's domain [lo, inf) (``_leaves_domain``)."""
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        fv = f(v)
        change = np.maximum(np.abs(f(np.maximum(v - e, lo)) - fv), np.abs(f(v + e) - fv))
        for p in inner:
            change = np.where((v - e <= p) & (p <= v + e), np.maximum(change, np.abs(f(np.asarray(p)) - fv)), change)
        return np.where(_leaves_domain(v, e, lo), INF, change)


def _leaves_domain(v: np.ndarray, e: np.ndarray, lo: float) -> np.ndarray:
    """Operands whose interval [v - e, v + e] holds points on both sides of the domain's edge ``lo``: a
    correct implementation may compute an operand just below it (NaN: ``sqrt`` of a variance computed
    as ``mean(x*x) - mean(x)**2`` on a constant row) or just above it, so the result is undetermined."""
    if lo == -INF:
        return np.zeros(np.shape(v), dtype=bool)
    with np.errstate(invalid="ignore"):
        return (v - e < lo) & (v + e >= lo)


def _monotone(name: str, f: Callable, df: Callable, lo: float = -INF, scale: float = 0.0) -> Callable:
    """The rule of a monotone function: its change over the operand's interval, plus ``ULPS[name]`` of
    the result, or of ``scale`` where that is larger (a bounded function's kernels may be accurate
    relative to its range rather than to each value)."""
    def rule(a: Any) -> Bounded:
        a = lift(a)
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            value = f(a.value)
            floor = ULPS[name] * _State.prec.u * np.maximum(scale - np.abs(value), 0.0)
            err = _rounding(value, _interval_change(f, a.value, a.err, lo) + floor, ULPS[name])
        err = _settle(value, err, a, undetermined=_leaves_domain(a.value, a.err, lo))

        def vjp(g: Bounded) -> tuple:
            return (g * df(a),)

        return _make(value, err, (a,), vjp)

    rule.__name__ = name
    return rule


sqrt = _monotone("sqrt", np.sqrt, lambda a: 0.5 / np.sqrt(a), lo=0.0)
exp = _monotone("exp", np.exp, lambda a: np.exp(a))
log = _monotone("log", np.log, lambda a: 1.0 / a, lo=0.0)
tanh = _monotone("tanh", np.tanh, lambda a: 1.0 - np.tanh(a) * np.tanh(a))
log1p = _monotone("log1p", np.log1p, lambda a: 1.0 / (1.0 + a), lo=-1.0)
expm1 = _monotone("expm1", np.expm1, lambda a: np.exp(a))
arctan = _monotone("arctan", np.arctan, lambda a: 1.0 / (1.0 + a * a))


def _special(name: str) -> Callable:
    """``scipy.special``'s ufunc ``name``, imported when a reference first calls it (it dispatches to
    ``Bounded`` as any ufunc does, so the import is never needed before that)."""
    def f(v: Any) -> Any:
        import scipy.special

        return getattr(scipy.special, name)(v)

    return f


_TWO_OVER_ROOT_PI = 2.0 / np.sqrt(np.pi)
erf = _monotone("erf", _special("erf"), lambda a: _TWO_OVER_ROOT_PI * np.exp(-(a * a)), scale=1.0)
erfc = _monotone("erfc", _special("erfc"), lambda a: -_TWO_OVER_ROOT_PI * np.exp(-(a * a)))
# s(1 - s) as s(x) s(-x): no cancellation where s(x) is near 1
expit = _monotone("expit", _special("expit"), lambda a: _special("expit")(a) * _special("expit")(-a))


def power(a: Any, p: Any) -> Bounded:
    """``a ** p`` for a constant exponent (``p == 2`` is ``a * a``)."""
    if isinstance(p, Bounded) or np.ndim(p) != 0:
        raise UnsupportedOperation(_unsupported("power with an array exponent"))
    p = float(p)
    if p == 2.0:
        return multiply(a, a)
    if p == 1.0:
        return lift(a)
    a = lift(a)
    f = (lambda v: np.power(v, p))  # noqa: E731
    lo = -INF if p.is_integer() else 0.0
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        value = f(a.value)
        err = _rounding(value, _interval_change(f, a.value, a.err, lo, (0.0,)), ULPS["power"])
    err = _settle(value, err, a, undetermined=_leaves_domain(a.value, a.err, lo))
    return _make(value, err, (a,), lambda g: (g * (p * a ** (p - 1)),))


def square(a: Any) -> Bounded:
    return multiply(a, a)


def absolute(a: Any) -> Bounded:
    a = lift(a)
    _State.kinks.append(np.abs(a.value))
    return _make(np.abs(a.value), a.err, (a,), lambda g: (_masked(g, a > 0) - _masked(g, a < 0),))


def maximum(a: Any, b: Any, pick: Callable = np.maximum) -> Bounded:
    a, b = lift(a), lift(b)
    _State.kinks.append(np.abs(a.value - b.value))
    with np.errstate(invalid="ignore"):
        value = pick(a.value, b.value)
        ea, eb = np.broadcast_to(a.err, value.shape), np.broadcast_to(b.err, value.shape)
        a_above = a.value - a.err > b.value + b.err  # surely decided: the chosen operand's bound alone
        b_above = b.value - b.err > a.value + a.err
        a_sure, b_sure = (a_above, b_above) if pick is np.maximum else (b_above, a_above)
        err = np.where(a_sure, ea, np.where(b_sure, eb, np.maximum(ea, eb)))
    err = _settle(value, err, a, b)
    shape_a, shape_b = a.shape, b.shape
    first = (lambda: a > b) if pick is np.maximum else (lambda: a < b)

    def vjp(g: Bounded) -> tuple:
        takes_a = first()
        return _unbroadcast(_masked(g, takes_a), shape_a), _unbroadcast(_masked(g, _complement(takes_a)), shape_b)

    return _make(value, err, (a, b), vjp)


def minimum(a: Any, b: Any) -> Bounded:
    return maximum(a, b, np.minimum)


def clip(a: Any, a_min: Any = None, a_max: Any = None) -> Bounded:
    out = lift(a)
    if a_min is not None:
        out = maximum(out, a_min)
    if a_max is not None:
        out = minimum(out, a_max)
    return out


def _compare(op: Callable) -> Callable:
    def rule(a: Any, b: Any) -> Bounded:
        """0/1, with bound 1 where a correct implementation may decide the other way: the operands are
        within their bounds of each other, or one is NaN or undetermined."""
        a, b = lift(a), lift(b)
        _State.kinks.append(np.abs(a.value - b.value))
        with np.errstate(invalid="ignore"):
            value = op(a.value, b.value).astype(np.float64)
            close = np.abs(a.value - b.value) <= a.err + b.err
            either = (close & ((a.err + b.err) > 0)) | np.isnan(a.value) | np.isnan(b.value)
            either = either | np.isinf(a.err) | np.isinf(b.err)
        return Bounded(value, np.where(either, 1.0, 0.0))

    rule.__name__ = op.__name__
    return rule


def _complement(mask: Any) -> Bounded:
    """``1 - mask`` of a 0/1 mask, exactly (its bound, where the mask may go either way, kept)."""
    mask = lift(mask)
    return Bounded(1.0 - mask.value, mask.err)


def _masked(g: Bounded, mask: Any) -> Bounded:
    """``g`` where ``mask`` is 1, 0 where it is 0: where the mask may go either way, either; where it
    is 0 and ``g`` is not finite, ``g * 0`` may be read as 0 or NaN (undetermined)."""
    mask = lift(mask)
    with np.errstate(invalid="ignore"):
        on = mask.value > 0.5
        either = mask.err > 0
        value = np.where(on, g.value, 0.0)
        spread = np.where(np.isfinite(g.value), np.abs(g.value) + g.err, INF)
        spread = np.where((g.value == 0) & (g.err == 0), 0.0, spread)
        err = np.where(on, g.err, 0.0) + np.where(either, spread, 0.0)
        err = err + np.where(~on & ~either & (~np.isfinite(g.value) | np.isinf(g.err)), INF, 0.0)
    return _make(value, err, (g,), lambda h: (_masked(h, mask),))


def where(cond: Any, a: Any, b: Any) -> Bounded:
    cond, a, b = lift(cond), lift(a), lift(b)
    on = cond.value.astype(bool) if cond.value.dtype == bool else cond.value > 0.5
    with np.errstate(invalid="ignore"):
        value = np.where(on, a.value, b.value)
        err = np.where(on, a.err, b.err)
        either = np.broadcast_to(cond.err > 0, value.shape)
        spread = np.maximum(np.broadcast_to(a.err, value.shape), np.broadcast_to(b.err, value.shape))
        spread = spread + np.abs(np.broadcast_to(a.value, value.shape) - np.broadcast_to(b.value, value.shape))
        err = np.where(either, np.where(np.isnan(spread), INF, spread), err)
    shape_a, shape_b = a.shape, b.shape

    def vjp(g: Bounded) -> tuple:
        return None, _unbroadcast(_masked(g, cond), shape_a), _unbroadcast(_masked(g, _complement(cond)), shape_b)

    return _make(value, err, (cond, a, b), vjp)


def matmul(a: Any, b: Any) -> Bounded:
    """``a @ b`` (``bounds.matmul_error``); a following addition may be fused (``add``)."""
    a, b = lift(a), lift(b)
    if a.ndim == 0 or b.ndim == 0:
        raise UnsupportedOperation(_unsupported("matmul of a 0-d array"))
    a2 = a.value[None, :] if a.ndim == 1 else a.value
    ea2 = a.err[None, :] if a.ndim == 1 else a.err
    b2 = b.value[:, None] if b.ndim == 1 else b.value
    eb2 = b.err[:, None] if b.ndim == 1 else b.err
    prec = _State.prec
    with np.errstate(invalid="ignore", over="ignore"):
        value = ieee_matmul(a2, b2) if b2.ndim == 2 else a2 @ b2
        err = matmul_error(a2, ea2, b2, eb2, prec)
        fused: Any = None
        if np.isfinite(value).all() and np.isfinite(err).all():
            n = a2.shape[-1]
            aa, ab = np.abs(a2), np.abs(b2)
            prop = aa @ eb2 + ea2 @ ab + ea2 @ eb2 + 2 * n * prec.tiny + prec.tiny * (
                (aa + ea2).sum(axis=-1, keepdims=True) + (ab + eb2).sum(axis=-2, keepdims=True))
            fused = (prop, (aa + ea2) @ (ab + eb2), n)
    squeeze = [i for i, flag in ((-2, a.ndim == 1), (-1, b.ndim == 1)) if flag]
    if squeeze:
        value, err = np.squeeze(value, tuple(squeeze)), np.squeeze(err, tuple(squeeze))
        fused = None if fused is None else tuple(np.squeeze(f, tuple(squeeze)) if isinstance(f, np.ndarray) else f
                                                 for f in fused)
    shape_a, shape_b = a.shape, b.shape

    def vjp(g: Bounded) -> tuple:
        # a 1-d operand is a matrix of one row (a) or one column (b), as NumPy reads it: the gradient
        # is taken on those and the added dim dropped again
        a2 = np.expand_dims(a, 0) if a.ndim == 1 else a
        b2 = np.expand_dims(b, -1) if b.ndim == 1 else b
        g2 = np.expand_dims(g, -1) if b.ndim == 1 else g
        g2 = np.expand_dims(g2, -2) if a.ndim == 1 else g2
        ga, gb = g2 @ np.swapaxes(b2, -1, -2), np.swapaxes(a2, -1, -2) @ g2
        ga = np.squeeze(ga, -2) if a.ndim == 1 else ga
        gb = np.squeeze(gb, -1) if b.ndim == 1 else gb
        return _unbroadcast(ga, shape_a), _unbroadcast(gb, shape_b)

    return _make(value, err, (a, b), vjp, fused=fused)


# -- reductions ---------------------------------------------------------------------------------------
def _axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    return tuple(sorted(int(i) % ndim for i in np.atleast_1d(axis))) if ndim else ()


def _expand(r: Bounded, axes: tuple[int, ...], shape: tuple[int, ...]) -> Any:
    """A reduction's result broadcast back over the reduced axes."""
    kept = np.reshape(r, tuple(1 if i in axes else n for i, n in enumerate(shape)))
    return np.broadcast_to(kept, shape)


def sum(a: Any, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> Bounded:  # noqa: A001
    a = lift(a)
    axes = _axes(axis, a.ndim)
    n = int(np.prod([a.shape[i] for i in axes])) if axes else 1
    with np.errstate(invalid="ignore", over="ignore"):
        value = np.sum(a.value, axis=axes, keepdims=keepdims)
        err = sum_error(a.value, a.err, axes, _State.prec)
        err = np.reshape(err, value.shape)
        fused = None
        if np.isfinite(value).all() and np.isfinite(err).all():
            fused = (np.sum(a.err, axis=axes, keepdims=keepdims) + n * _State.prec.tiny,
                     np.sum(np.abs(a.value) + a.err, axis=axes, keepdims=keepdims), max(n - 1, 0))
    shape = a.shape

    def vjp(g: Bounded) -> tuple:
        return (_expand(g, axes, shape),)

    return _make(value, err, (a,), vjp, fused=fused)


def mean(a: Any, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> Bounded:
    """A sum of n terms and a division by n, in any order: ``(sum ea + gamma_{n+1} sum (|a| + ea)) / n``."""
    a = lift(a)
    axes = _axes(axis, a.ndim)
    n = int(np.prod([a.shape[i] for i in axes])) if axes else 1
    prec = _State.prec
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        value = np.mean(a.value, axis=axes, keepdims=keepdims) if n else np.full(
            np.sum(a.value, axis=axes, keepdims=keepdims).shape, np.nan)
        sa = _sanitized(a.value)
        err = (np.sum(a.err, axis=axes, keepdims=keepdims)
               + gamma(n + 1, prec) * np.sum(np.abs(sa) + a.err, axis=axes, keepdims=keepdims)) / max(n, 1)
        err = err + (n + 1) * prec.tiny
        total = np.sum(sa, axis=axes, keepdims=keepdims)
        if prec.store_u:  # the sum and the quotient may each be stored
            err = prec.stored(total / max(n, 1), prec.stored(total, err * max(n, 1)) / max(n, 1))
    # the sum, stored before the division by an implementation that divides last, may come near overflow
    _State.peak = max(_State.peak, float(np.max(np.abs(total), initial=0.0)))
    err = _settle(value, err, undetermined=np.any(np.isinf(a.err), axis=axes, keepdims=keepdims))
    shape = a.shape

    def vjp(g: Bounded) -> tuple:
        return (_expand(g / n, axes, shape),)

    return _make(value, err, (a,), vjp)


def var(a: Any, axis: Any = None, keepdims: bool = False, ddof: int = 0, dtype: Any = None) -> Bounded:
    """The mean squared deviation from the mean (divided by n - ddof), as its operations bound it."""
    a = lift(a)
    axes = _axes(axis, a.ndim)
    n = int(np.prod([a.shape[i] for i in axes])) if axes else 1
    d = a - mean(a, axis=axes, keepdims=True)
    squares = sum(d * d, axis=axes, keepdims=keepdims)
    return squares / (n - ddof) if ddof else mean(d * d, axis=axes, keepdims=keepdims)


def amax(a: Any, axis: Any = None, keepdims: bool = False, pick: Callable = np.max) -> Bounded:
    """Exact and 1-Lipschitz: the bound is the largest of the operands' bounds; the gradient goes to the
    extreme entries, shared among ties, and may go to any entry within its bound of the extreme."""
    a = lift(a)
    axes = _axes(axis, a.ndim)
    with np.errstate(invalid="ignore"):
        value = pick(a.value, axis=axes, keepdims=keepdims)
        err = np.max(a.err, axis=axes, keepdims=keepdims, initial=0.0)
    err = _settle(value, err)
    shape = a.shape

    def vjp(g: Bounded) -> tuple:
        extreme = _expand(Bounded(value, err), axes, shape)
        with np.errstate(invalid="ignore"):
            hit = (a.value == extreme.value).astype(np.float64)
            ties = np.sum(hit, axis=axes, keepdims=True)
            either = (np.abs(a.value - extreme.value) <= a.err + extreme.err) & ((a.err + extreme.err) > 0)
            either = either | (np.broadcast_to(ties, shape) > 1)
        share = _expand(g, axes, shape) * Bounded(hit / np.where(ties > 0, ties, 1.0))
        return (_masked(share, Bounded(hit, np.where(either, 1.0, 0.0))),)

    return _make(value, err, (a,), vjp)


def amin(a: Any, axis: Any = None, keepdims: bool = False) -> Bounded:
    return amax(a, axis, keepdims, np.min)


# -- shapes -------------------------------------------------------------------------------------------
def _structural(name: str, forward: Callable, backward: Callable) -> Callable:
    """An exact operation on positions (reshape, transpose, ...): the bound moves with the values."""
    def rule(a: Any, *args: Any, **kwargs: Any) -> Bounded:
        a = lift(a)
        shape = a.shape
        fused = None if a.fused is None else (forward(np.broadcast_to(a.fused[0], shape), *args, **kwargs),
                                              forward(np.broadcast_to(a.fused[1], shape), *args, **kwargs),
                                              a.fused[2])
        return _make(forward(a.value, *args, **kwargs), forward(a.err, *args, **kwargs), (a,),
                     lambda g: (backward(g, shape, *args, **kwargs),), fused=fused)

    rule.__name__ = name
    return rule


def _inverse_axes(axes: Any, ndim: int) -> Any:
    order = list(reversed(range(ndim))) if axes is None else [int(i) % ndim for i in axes]
    return tuple(np.argsort(order))


reshape = _structural("reshape", lambda v, shape, **_: np.reshape(v, shape), lambda g, s, *a, **k: np.reshape(g, s))
transpose = _structural("transpose", lambda v, axes=None: np.transpose(v, axes),
                        lambda g, s, axes=None: np.transpose(g, _inverse_axes(axes, len(s))))
swapaxes = _structural("swapaxes", np.swapaxes, lambda g, s, i, j: np.swapaxes(g, i, j))
expand_dims = _structural("expand_dims", np.expand_dims, lambda g, s, *a, **k: np.reshape(g, s))
squeeze = _structural("squeeze", np.squeeze, lambda g, s, *a, **k: np.reshape(g, s))
broadcast_to = _structural("broadcast_to", lambda v, shape, **_: np.broadcast_to(v, shape),
                           lambda g, s, *a, **k: _unbroadcast(g, s))


def _unbroadcast(g: Any, shape: tuple[int, ...]) -> Any:
    """The gradient of a broadcast operand: summed over the dims it was broadcast along."""
    if g is None or g.shape == tuple(shape):
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    out = sum(g, axis=axes, keepdims=True) if axes else g
    return np.reshape(out, shape)


def _scatter_add(g: Bounded, key: Any, shape: tuple[int, ...]) -> Bounded:
    """The gradient of an indexing: ``g`` added into zeros at the indexed positions; a position taken k
    times is a sum of k terms (``gamma_{k-1}``)."""
    prec = _State.prec
    value, err, mag, count = (np.zeros(shape) for _ in range(4))
    with np.errstate(invalid="ignore", over="ignore"):
        np.add.at(value, key, g.value)
        np.add.at(err, key, g.err)
        np.add.at(mag, key, np.abs(_sanitized(g.value)) + g.err)
        np.add.at(count, key, np.ones(g.shape))
        # a scatter adds into the stored result one index at a time (``index_add_``): in a narrower
        # storage format each addition is rounded to it
        acc = prec.elementwise()
        err = err + _gamma_array(np.maximum(count - 1, 0), acc) * mag + count * acc.tiny
    err = _settle(value, err)
    return _make(value, err, (g,), lambda h: (h[key],))


def _plain(func: Callable) -> Callable:
    """A function of shapes only (``zeros_like``, ...): computed on the values, exact."""
    def rule(a: Any, *args: Any, **kwargs: Any) -> Any:
        return func(a.value if isinstance(a, Bounded) else a, *args, **kwargs)

    return rule


UFUNCS: dict[str, Callable] = {
    "add": add, "subtract": subtract, "multiply": multiply, "true_divide": divide, "divide": divide,
    "negative": negative, "positive": positive, "sqrt": sqrt, "exp": exp, "log": log, "tanh": tanh,
    "power": power, "square": square, "absolute": absolute, "maximum": maximum, "minimum": minimum,
    "log1p": log1p, "expm1": expm1, "arctan": arctan, "erf": erf, "erfc": erfc, "expit": expit,
    "matmul": matmul,
    "greater": _compare(np.greater), "greater_equal": _compare(np.greater_equal), "less": _compare(np.less),
    "less_equal": _compare(np.less_equal), "equal": _compare(np.equal), "not_equal": _compare(np.not_equal),
    "isnan": _plain(np.isnan), "isfinite": _plain(np.isfinite), "isinf": _plain(np.isinf),
}
FUNCTIONS: dict[str, Callable] = {
    "sum": sum, "mean": mean, "var": var, "amax": amax, "max": amax, "amin": amin, "min": amin, "where": where,
    "clip": clip, "matmul": matmul, "dot": matmul, "reshape": reshape, "transpose": transpose,
    "swapaxes": swapaxes, "expand_dims": expand_dims, "squeeze": squeeze, "broadcast_to": broadcast_to,
    "zeros_like": _plain(np.zeros_like), "ones_like": _plain(np.ones_like), "full_like": _plain(np.full_like),
    "shape": _plain(np.shape), "ndim": _plain(np.ndim), "size": _plain(np.size),
    "maximum": maximum, "minimum": minimum, "abs": absolute, "sqrt": sqrt, "exp": exp, "tanh": tanh, "log": log,
}


# -- evaluation ---------------------------------------------------------------------------------------
class Evaluation:
    """What ``evaluate`` found: the output's value and bound; with an upstream gradient, each
    differentiated input's gradient and bound (``grads``, ``grad_errors``, by name)."""

    def __init__(self, y: Bounded) -> None:
        self.y, self.ey = y.value, y.err
        self.kinks: list[np.ndarray] = []
        self.peak = 0.0  # the largest finite |value| of an intermediate result, forward and backward
        self.grads: dict[str, np.ndarray] = {}
        self.grad_errors: dict[str, np.ndarray] = {}


def evaluate(fn: Callable[..., Any], inputs: dict[str, Any], errors: dict[str, Any] | None = None,
             prec: Precision = EXACT, gy: Any = None, egy: Any = None, wrt: tuple[str, ...] = (),
             constants: dict[str, Any] | None = None) -> Evaluation:
    """Run ``fn(**inputs, **constants)`` on ``Bounded`` inputs (bounds ``errors``, default 0) in the
    arithmetic ``prec``; with ``gy`` (bound ``egy``), differentiate the output along it with respect to
    the inputs named in ``wrt``. Integer inputs (indices) pass through as plain arrays."""
    errors = errors or {}
    wrapped = {name: (np.asarray(v) if np.asarray(v).dtype.kind in "iub" else
                      Bounded(v, errors.get(name), requires_grad=name in wrt)) for name, v in inputs.items()}
    previous = (_State.prec, _State.recording, _State.kinks, _State.peak)
    _State.prec, _State.recording, _State.kinks, _State.peak = prec, gy is not None and bool(wrt), [], 0.0
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            y = lift(fn(**wrapped, **(constants or {})))
            out = Evaluation(y)
            out.kinks = _State.kinks
            if gy is not None:
                _State.recording = False
                grads = backward(y, Bounded(np.broadcast_to(gy, y.shape), egy))
                for name in wrt:
                    v = wrapped[name]
                    g = grads.get(id(v)) if isinstance(v, Bounded) else None
                    g = g if g is not None else Bounded(np.zeros(np.shape(inputs[name])))
                    out.grads[name], out.grad_errors[name] = g.value, np.array(g.err)
            out.peak = _State.peak
    finally:
        _State.prec, _State.recording, _State.kinks, _State.peak = previous
    return out


def backward(y: Bounded, gy: Bounded) -> dict[int, Bounded]:
    """Reverse-mode accumulation from ``y`` along ``gy``: each node's gradient is the sum of its uses'
    (each addition bounded as one)."""
    order: list[Bounded] = []
    seen: set[int] = set()
    stack: list[tuple[Bounded, bool]] = [(y, False)]
    while stack:  # an iterative depth-first post-order (references may be deep)
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((p, False) for p in node.parents if isinstance(p, Bounded) and p.requires_grad)
    grads: dict[int, Bounded] = {id(y): gy}
    for node in reversed(order):
        g = grads.get(id(node))
        if g is None or node.vjp is None:
            continue
        for parent, gp in zip(node.parents, node.vjp(g), strict=True):
            if gp is None or not (isinstance(parent, Bounded) and parent.requires_grad):
                continue
            gp = lift(gp)
            old = grads.get(id(parent))
            grads[id(parent)] = gp if old is None else add(old, gp)
    return grads

"""A reference block from a declaration: a plain NumPy function ``forward(x, **tensors, **args)`` of
the input, the block's parameters and buffers (by their state-dict names) and its constructor
arguments, turned into a ``reference.Module``.

Its gradients come from the declaration's analytic ``backward(gy, x, **tensors, **args)`` (a dict of
gradients by name, ``"x"`` for the input) where it gives one, else from reverse-mode differentiation
of the forward (``traced.evaluate``); its rounding-error bounds, forward and backward, from running
the same code on ``traced.Bounded`` arrays (``traced``'s rules), so a user-written reference is
judged with per-element bounds like the built-in blocks'.

Where the forward uses an operation ``traced`` has no rule for, the declaration may state an explicit
``tolerance`` instead: values are then computed on plain arrays, bounded by ``tolerance * (|value| +
max |value|)`` elementwise, and gradients (without an analytic backward) come from central finite
differences of the forward in extended precision (``numpy.longdouble``). The report says so.

IEEE semantics: a result the reference computes *from non-finite inputs* (the input, a parameter or
the upstream gradient), finite or not, is not determined by the declaration: algebraically equal
formulas give different values there (``inf - inf`` in one, ``inf`` in another; ``0 / inf`` is 0
where ``exp(x - max)`` gives NaN), so any value is accepted (bound ``inf``) at every result that
depends on one (a traced reference follows the dependence through its bounds; a declared tolerance
opens the non-finite results only). Finite results keep their bounds; a NaN of finite inputs
(``0 / 0``) is required as computed; an overflow discards the example (``traced._overflowed``:
the peak it reports is past every dtype's limit). The built-in blocks state their IEEE
semantics by hand (``layers.py``).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .bounds import Precision
from .module import Module
from .traced import EXACT, Bounded, UnsupportedOperation, evaluate

#: How a declared block's gradients are computed (what the report says).
ANALYTIC, AUTOMATIC = "the declaration's analytic backward", "automatic differentiation of the reference forward"
FINITE_DIFFERENCES = "central finite differences of the reference forward in extended precision (numpy.longdouble)"


def _any_nonfinite(*arrays: Any) -> bool:
    return any(np.asarray(a).dtype.kind == "f" and not np.isfinite(a).all() for a in arrays if a is not None)


def _unknown_where_nonfinite(inputs: dict[str, Any], errors: dict[str, Any] | None) -> dict[str, Any] | None:
    """``errors`` with an infinite bound on every non-finite entry of ``inputs``: whatever the
    reference computes from such an entry, finite or not, another formula as correct computes
    otherwise (``0 / inf`` is 0, the same softmax as ``exp(x - max)`` gives NaN), so the bounds mark
    every result that depends on one as undetermined, and only those."""
    out = dict(errors or {})
    for name, v in inputs.items():
        v = np.asarray(v)
        if v.dtype.kind == "f" and not np.isfinite(v).all():
            known = out.get(name)
            out[name] = np.where(np.isfinite(v), 0.0 if known is None else known, np.inf)
    return out or None


def _open_nonfinite(value: np.ndarray, bound: np.ndarray, inputs_nonfinite: bool) -> np.ndarray:
    """``bound``, with ``inf`` where the reference's result is not finite and came from non-finite inputs."""
    if not inputs_nonfinite:
        return bound
    return np.where(np.isfinite(value), bound, np.inf)


class DeclarationError(RuntimeError):
    """The declared reference itself raised (a misspelt keyword, a missing name): a fault of the
    declaration, never a verdict on the block judged against it."""


def _declaration(fn: Callable[..., Any], role: str) -> Callable[..., Any]:
    """``fn`` with its own exceptions raised as ``DeclarationError``. Two stay as they are: an operation
    without a bound rule (``UnsupportedOperation``: a declared tolerance may cover it), and
    ``ValueError``, the reference refusing an input (``np.sort(x, axis=-1)`` of a 0-d one): outside the
    spec's domain, that example is discarded, as the chapter's references refuse theirs."""
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (UnsupportedOperation, ValueError):
            raise
        except Exception as exc:  # noqa: BLE001 - whatever the user's NumPy code raised
            raise DeclarationError(f"the declared {role} ({getattr(fn, '__name__', role)}) raised "
                                   f"{type(exc).__name__}: {exc}") from exc
    return call


class Declared(Module):
    """``forward`` over named tensors: ``params`` (differentiated) and ``buffers`` (constants), each
    given by its shape; ``args`` are passed to ``forward`` as keywords."""

    def __init__(self, forward: Callable[..., Any], params: dict[str, tuple[int, ...]],
                 buffers: dict[str, tuple[int, ...]] | None = None, args: dict[str, Any] | None = None,
                 backward: Callable[..., dict[str, Any]] | None = None, tolerance: float | None = None) -> None:
        super().__init__()
        self.fn, self.args, self.tolerance = _declaration(forward, "forward"), dict(args or {}), tolerance
        self.analytic = None if backward is None else _declaration(backward, "backward")
        self.untraced = ""  # the operation without a rule, where the declared tolerance bounds it instead
        for name, shape in params.items():
            self.params[name] = np.zeros(shape)
        for name, shape in (buffers or {}).items():
            self.buffers[name] = np.zeros(shape)

    @property
    def gradient_source(self) -> str:
        if self.analytic is not None:
            return ANALYTIC
        return FINITE_DIFFERENCES if self.untraced else AUTOMATIC

    @property
    def bound_source(self) -> str:
        return (f"the declared tolerance {self.tolerance:g} (the reference uses {self.untraced}, which has no "
                "rule)") if self.untraced else "its own operations (reference.traced)"

    def _traced(self, run: Callable[[], Any]) -> Any:
        """``run()``, or None where it needs an operation without a rule and a tolerance is declared."""
        if self.untraced:
            return None
        try:
            return run()
        except UnsupportedOperation as exc:
            if self.tolerance is None:
                raise
            text, prefix = str(exc), "reference.traced has no error-bound rule for "
            self.untraced = (text.split(":")[0].removeprefix(prefix) if text.startswith(prefix) else
                             "an operation that converts its array to a plain one (np.vectorize, np.asarray, "
                             "a function outside NumPy)")
            return None

    def _inputs(self, x: np.ndarray) -> dict[str, Any]:
        return {"x": x, **self.params, **self.buffers}

    def _wrt(self, x: np.ndarray) -> tuple[str, ...]:
        return (("x",) if np.asarray(x).dtype.kind == "f" else ()) + tuple(self.params)

    def forward(self, x):
        ev = self._traced(lambda: evaluate(self.fn, self._inputs(x), constants=self.args))
        if ev is None:  # on plain arrays; no kink is known
            return np.asarray(self.fn(**self._inputs(x), **self.args), dtype=np.float64), {"x": x, "kinks": []}
        return ev.y, {"x": x, "kinks": ev.kinks, "peak": np.asarray(ev.peak)}

    def _gradients(self, ctx: dict, gy: np.ndarray, egy: Any, prec: Precision) -> tuple[dict, dict]:
        x, ex = ctx["x"], ctx.get("ex")
        if self.untraced:
            return self._untraced_gradients(x, gy, prec)
        if self.analytic is None:
            unknown = _unknown_where_nonfinite(self._inputs(x), {"x": ex} if ex is not None else None)
            if not np.isfinite(gy).all():
                egy = np.where(np.isfinite(gy), 0.0 if egy is None else egy, np.inf)
            ev = evaluate(self.fn, self._inputs(x), unknown, prec, gy, egy, self._wrt(x), self.args)
            ctx["backward_peak"] = np.asarray(ev.peak)  # the backward's intermediates: how near overflow
            return ev.grads, ev.grad_errors
        grads: dict[str, np.ndarray] = {}
        errors: dict[str, np.ndarray] = {}
        wrt = self._wrt(x)

        def run(gy, **tensors):  # noqa: ANN001, ANN202 - the declaration's backward, on Bounded values
            out = self.analytic(gy, **tensors, **self.args)
            return out

        inputs = {"gy": gy, **self._inputs(x)}
        known = _unknown_where_nonfinite(inputs, {"x": ex, "gy": egy} if ex is not None else {"gy": egy})
        for name in wrt:  # one evaluation per gradient (each is its own function of gy and the tensors)
            ev = evaluate(lambda _n=name, **t: run(**t)[_n], inputs, known, prec)
            grads[name], errors[name] = ev.y, np.array(ev.ey)
            ctx["backward_peak"] = np.maximum(ctx.get("backward_peak", 0.0), ev.peak)
        return grads, errors

    def _untraced_gradients(self, x: np.ndarray, gy: np.ndarray, prec: Precision) -> tuple[dict, dict]:
        """Gradients where the forward cannot be traced: the analytic backward on plain arrays, else
        central differences in extended precision; bounded by the declared tolerance."""
        inputs = self._inputs(x)
        wrt = self._wrt(x)
        if self.analytic is not None:
            out = self.analytic(gy, **inputs, **self.args)
            grads = {n: np.asarray(out[n], dtype=np.float64) for n in wrt}
            return grads, {n: self._tolerance_bound(g, prec) for n, g in grads.items()}
        found = {n: _central_differences(self.fn, inputs, self.args, n, gy) for n in wrt}
        grads = {n: g for n, (g, _) in found.items()}
        # at a kink (one-sided differences disagree) any value is accepted: the spec does not say which side
        return grads, {n: np.where(kink, np.inf, self._tolerance_bound(g, prec)) for n, (g, kink) in found.items()}

    def _tolerance_bound(self, value: np.ndarray, prec: Precision | None = None) -> np.ndarray:
        """``tolerance * (|value| + max |value|)``, plus the judged dtype's smallest normal number (and
        its storage format's): a value below it may underflow, whatever the tolerance."""
        assert self.tolerance is not None  # set whenever untraced
        floor = 0.0 if prec is None else prec.tiny + prec.store_tiny
        with np.errstate(invalid="ignore"):
            scale = float(np.max(np.abs(value), initial=0.0, where=np.isfinite(value)))
            return self.tolerance * (np.abs(np.where(np.isfinite(value), value, 0.0)) + scale) + floor

    def backward(self, ctx, gy):
        grads, _ = self._gradients(ctx, gy, None, EXACT)
        for name in self.params:
            self.accumulate(name, grads[name])
        x = ctx["x"]
        return grads.get("x", np.zeros(np.shape(x)))

    def forward_error(self, ctx, ex, prec: Precision):
        ctx["ex"] = ex
        errors = _unknown_where_nonfinite(self._inputs(ctx["x"]),
                                          {"x": ex} if np.asarray(ctx["x"]).dtype.kind == "f" else None)
        ev = self._traced(lambda: evaluate(self.fn, self._inputs(ctx["x"]), errors, prec, constants=self.args))
        if ev is None:
            y = np.asarray(self.fn(**self._inputs(ctx["x"]), **self.args), dtype=np.float64)
            return _open_nonfinite(y, self._tolerance_bound(y, prec), True)
        return _open_nonfinite(ev.y, ev.ey, _any_nonfinite(*self._inputs(ctx["x"]).values()))

    def backward_error(self, ctx, gy, egy, prec: Precision):
        grads, errors = self._gradients(ctx, gy, egy, prec)
        nonfinite = _any_nonfinite(gy, *self._inputs(ctx["x"]).values())
        for name in self.params:
            self.accumulate_error(name, grads[name], _open_nonfinite(grads[name], errors[name], nonfinite), prec)
        gx = errors.get("x", np.zeros(np.shape(ctx["x"])))
        return _open_nonfinite(grads.get("x", gx), gx, nonfinite)


def _central_differences(fn: Callable[..., Any], inputs: dict[str, Any], args: dict[str, Any], name: str,
                         gy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """d <gy, fn(inputs)> / d inputs[name], entry by entry, by central differences in numpy.longdouble
    (in float64 where the forward refuses longdouble, as scipy.special's ufuncs do),
    and where the function is not smooth (its one-sided differences disagree, and keep disagreeing at
    half the step, where a smooth function's gap ``h f''`` halves: a kink, a tie of a sort), which a
    correct implementation may resolve either way. Step: the cube root of longdouble's
    epsilon relative to the entry (to the tensor's median magnitude for an entry at 0), so truncation
    and rounding both stay near eps^(2/3), about 4e-13 on x86's 80-bit format."""
    def widened(dtype: Any) -> dict[str, Any]:
        return {k: (np.asarray(v, dtype=dtype) if np.asarray(v).dtype.kind == "f" else v) for k, v in inputs.items()}

    wide = widened(np.longdouble)
    try:
        first = fn(**wide, **args)
    except DeclarationError as exc:  # a forward that refuses longdouble (scipy.special's ufuncs): float64
        if not isinstance(exc.__cause__, TypeError):
            raise
        wide = widened(np.float64)
        first = fn(**wide, **args)
    dtype = wide[name].dtype
    weights = np.asarray(gy, dtype=dtype)
    base = wide[name]
    step0 = np.cbrt(np.finfo(dtype).eps)
    magnitudes = np.abs(base[np.isfinite(base) & (base != 0)])
    typical = float(np.median(magnitudes)) if magnitudes.size else 1.0  # the step of an entry at 0
    centre = np.asarray(first, dtype=dtype)
    grad, kink = np.zeros(base.shape), np.zeros(base.shape, dtype=bool)
    def one_sided(index: tuple[int, ...], h: Any) -> list[Any]:
        sides = []
        for sign in (1, -1):
            moved = base.copy()
            moved[index] += sign * h
            # differences per output element first: a sum of large outputs would swamp a small change
            with np.errstate(invalid="ignore"):
                change = (np.asarray(fn(**{**wide, name: moved}, **args), dtype=dtype) - centre) * weights
                sides.append(sign * np.sum(change) / h)
        return sides

    # no step below step0 * sqrt(tiny): a step relative to a subnormal or near-subnormal entry would make
    # the differences themselves underflow (GELU's gradient at x = 2e-308 read as 0)
    floor = float(np.sqrt(np.finfo(dtype).tiny))
    for index in np.ndindex(base.shape):
        h = step0 * (max(abs(base[index]), floor) if np.isfinite(base[index]) and base[index] != 0 else typical)
        plus, minus = one_sided(index, h)
        grad[index] = float((plus + minus) / 2)
        gap = abs(plus - minus)
        if not gap <= 1e-6 * (abs(plus) + abs(minus)) + 1e-300:  # beyond rounding: curvature or a kink
            plus2, minus2 = one_sided(index, h / 2)
            kink[index] = not abs(plus2 - minus2) <= 0.75 * gap
    return grad, kink


__all__ = ["Declared", "DeclarationError", "Bounded", "ANALYTIC", "AUTOMATIC", "FINITE_DIFFERENCES"]

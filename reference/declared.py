"""A reference block from a declaration: a plain NumPy function ``forward(x, **tensors, **args)`` of
the input, the block's parameters and buffers (by their state-dict names) and its constructor
arguments, turned into a ``reference.Module``.

Its gradients come from the declaration's analytic ``backward(gy, x, **tensors, **args)`` (a dict of
gradients by name, ``"x"`` for the input) where it gives one, else from reverse-mode differentiation
of the forward (``traced.evaluate``); its rounding-error bounds, forward and backward, from running
the same code on ``traced.Bounded`` arrays (``traced``'s rules), so a user-written reference is
judged with per-element bounds like the built-in blocks'.

IEEE semantics: a result the reference computes as NaN or an infinity *from non-finite inputs* (the
input, a parameter or the upstream gradient) is not determined by the declaration: algebraically
equal formulas give different classes there (``inf - inf`` in one, ``inf`` in another), so any
value is accepted (bound ``inf``). Finite results keep their bounds; non-finite results of finite
inputs (an overflow, ``0 / 0``) are required as computed. The built-in blocks state their IEEE
semantics by hand (``layers.py``).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .bounds import Precision
from .module import Module
from .traced import EXACT, Bounded, evaluate

#: How a declared block's gradients are computed (what the report says).
ANALYTIC, AUTOMATIC = "the declaration's analytic backward", "automatic differentiation of the reference forward"


def _any_nonfinite(*arrays: Any) -> bool:
    return any(np.asarray(a).dtype.kind == "f" and not np.isfinite(a).all() for a in arrays if a is not None)


def _open_nonfinite(value: np.ndarray, bound: np.ndarray, inputs_nonfinite: bool) -> np.ndarray:
    """``bound``, with ``inf`` where the reference's result is not finite and came from non-finite inputs."""
    if not inputs_nonfinite:
        return bound
    return np.where(np.isfinite(value), bound, np.inf)


class Declared(Module):
    """``forward`` over named tensors: ``params`` (differentiated) and ``buffers`` (constants), each
    given by its shape; ``args`` are passed to ``forward`` as keywords."""

    def __init__(self, forward: Callable[..., Any], params: dict[str, tuple[int, ...]],
                 buffers: dict[str, tuple[int, ...]] | None = None, args: dict[str, Any] | None = None,
                 backward: Callable[..., dict[str, Any]] | None = None) -> None:
        super().__init__()
        self.fn, self.analytic, self.args = forward, backward, dict(args or {})
        for name, shape in params.items():
            self.params[name] = np.zeros(shape)
        for name, shape in (buffers or {}).items():
            self.buffers[name] = np.zeros(shape)

    @property
    def gradient_source(self) -> str:
        return ANALYTIC if self.analytic is not None else AUTOMATIC

    def _inputs(self, x: np.ndarray) -> dict[str, Any]:
        return {"x": x, **self.params, **self.buffers}

    def _wrt(self, x: np.ndarray) -> tuple[str, ...]:
        return (("x",) if np.asarray(x).dtype.kind == "f" else ()) + tuple(self.params)

    def forward(self, x):
        ev = evaluate(self.fn, self._inputs(x), constants=self.args)
        return ev.y, {"x": x, "kinks": ev.kinks}

    def _gradients(self, ctx: dict, gy: np.ndarray, egy: Any, prec: Precision) -> tuple[dict, dict]:
        x, ex = ctx["x"], ctx.get("ex")
        if self.analytic is None:
            ev = evaluate(self.fn, self._inputs(x), {"x": ex} if ex is not None else None, prec, gy, egy,
                          self._wrt(x), self.args)
            return ev.grads, ev.grad_errors
        grads: dict[str, np.ndarray] = {}
        errors: dict[str, np.ndarray] = {}
        wrt = self._wrt(x)

        def run(gy, **tensors):  # noqa: ANN001, ANN202 - the declaration's backward, on Bounded values
            out = self.analytic(gy, **tensors, **self.args)
            return out

        inputs = {"gy": gy, **self._inputs(x)}
        for name in wrt:  # one evaluation per gradient (each is its own function of gy and the tensors)
            ev = evaluate(lambda _n=name, **t: run(**t)[_n], inputs,
                          {"x": ex, "gy": egy} if ex is not None else {"gy": egy}, prec)
            grads[name], errors[name] = ev.y, np.array(ev.ey)
        return grads, errors

    def backward(self, ctx, gy):
        grads, _ = self._gradients(ctx, gy, None, EXACT)
        for name in self.params:
            self.accumulate(name, grads[name])
        x = ctx["x"]
        return grads.get("x", np.zeros(np.shape(x)))

    def forward_error(self, ctx, ex, prec: Precision):
        ctx["ex"] = ex
        errors = {"x": ex} if np.asarray(ctx["x"]).dtype.kind == "f" else None
        ev = evaluate(self.fn, self._inputs(ctx["x"]), errors, prec, constants=self.args)
        return _open_nonfinite(ev.y, ev.ey, _any_nonfinite(*self._inputs(ctx["x"]).values()))

    def backward_error(self, ctx, gy, egy, prec: Precision):
        grads, errors = self._gradients(ctx, gy, egy, prec)
        nonfinite = _any_nonfinite(gy, *self._inputs(ctx["x"]).values())
        for name in self.params:
            self.accumulate_error(name, grads[name], _open_nonfinite(grads[name], errors[name], nonfinite), prec)
        gx = errors.get("x", np.zeros(np.shape(ctx["x"])))
        return _open_nonfinite(grads.get("x", gx), gx, nonfinite)


__all__ = ["Declared", "Bounded", "ANALYTIC", "AUTOMATIC"]

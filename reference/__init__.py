"""The NumPy reference: the spec of every block, in float64, with analytic gradients.

Importable on its own (NumPy only, no torch). Each block is a ``reference.Module``: read
``module.py`` for the protocol, ``layers.py`` and ``containers.py`` for the blocks, and ``bounds.py``
for the rounding-error rules the conformance suite judges implementations by.
"""

from .blocks import (
    MLP,
    CenteredLayer,
    Chimera,
    FixedHiddenMLP,
    MyLinear,
    NestMLP,
    NonFiniteNorm,
    block1,
    rgnet,
    tied_net,
)
from .bounds import Precision
from .containers import Chain, Sequential
from .layers import Linear, ReLU
from .module import Module

__all__ = ["Module", "Precision", "Linear", "ReLU", "Chain", "Sequential", "MLP", "NestMLP", "FixedHiddenMLP",
           "Chimera", "CenteredLayer", "MyLinear", "NonFiniteNorm", "block1", "rgnet", "tied_net",
           "run_forward_backward", "peak_magnitude"]


def run_forward_backward(block: Module, x, gy=None, prec: Precision | None = None):
    """Run ``block`` on ``x`` (and back from ``gy``): a dict with ``y``, ``gx``, ``grads`` and, given
    ``prec``, the error bounds ``ey``, ``egx``, ``grad_errors`` a correct implementation stays within.
    The input and upstream gradient are taken as exact."""
    import numpy as np

    x = np.asarray(x)
    x = x if x.dtype.kind in "iu" else x.astype(np.float64)  # integer inputs are indices (an Embedding's)
    block.zero_grad()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # NaN and inf follow IEEE here
        y, ctx = block.forward(x)
        out = {"y": y, "ctx": ctx}
        if prec is not None:
            out["ey"] = block.forward_error(ctx, np.zeros(x.shape), prec)
        if gy is not None:
            gy = np.asarray(gy, dtype=np.float64)
            out["gx"] = block.backward(ctx, gy)
            out["grads"] = block.grad_dict()
            if prec is not None:
                out["egx"] = block.backward_error(ctx, gy, np.zeros_like(gy), prec)
                out["grad_errors"] = block.grad_error_dict()
    out["peak"] = peak_magnitude([ctx, out["y"], out.get("gx"), out.get("grads")])
    return out


def peak_magnitude(obj) -> float:
    """The largest finite |value| among the arrays in ``obj`` (nested dicts, lists, tuples): how close
    a run's intermediate results came to overflow (infinities and NaN come from the input, not from
    overflow: the reference computes in float64, far from its own overflow)."""
    import numpy as np

    if isinstance(obj, np.ndarray):
        if obj.dtype.kind != "f":
            return 0.0
        magnitude = np.abs(obj)
        return float(np.max(magnitude, initial=0.0, where=np.isfinite(magnitude)))
    if isinstance(obj, dict):
        obj = list(obj.values())
    if isinstance(obj, (list, tuple)):
        return max((peak_magnitude(o) for o in obj), default=0.0)
    return 0.0

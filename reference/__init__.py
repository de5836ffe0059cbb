"""The NumPy reference: the spec of every block, in float64, with analytic gradients.

Importable on its own (NumPy only, no torch). Each block is a ``reference.Module``: read
``module.py`` for the protocol, ``layers.py`` and ``containers.py`` for the blocks, and ``bounds.py``
for the rounding-error rules the conformance suite judges implementations by.
"""

from .bounds import Precision
from .containers import Chain, Sequential
from .layers import Linear, ReLU
from .module import Module

__all__ = ["Module", "Precision", "Linear", "ReLU", "Chain", "Sequential", "run_forward_backward"]


def run_forward_backward(block: Module, x, gy=None, prec: Precision | None = None):
    """Run ``block`` on ``x`` (and back from ``gy``): a dict with ``y``, ``gx``, ``grads`` and, given
    ``prec``, the error bounds ``ey``, ``egx``, ``grad_errors`` a correct implementation stays within.
    The input and upstream gradient are taken as exact."""
    import numpy as np

    x = np.asarray(x, dtype=np.float64)
    block.zero_grad()
    y, ctx = block.forward(x)
    out = {"y": y}
    if prec is not None:
        out["ey"] = block.forward_error(ctx, np.zeros_like(x), prec)
    if gy is not None:
        gy = np.asarray(gy, dtype=np.float64)
        out["gx"] = block.backward(ctx, gy)
        out["grads"] = block.grad_dict()
        if prec is not None:
            out["egx"] = block.backward_error(ctx, gy, np.zeros_like(gy), prec)
            out["grad_errors"] = block.grad_error_dict()
    return out

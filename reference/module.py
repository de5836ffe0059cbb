"""The reference block protocol: float64 parameters, a forward pass, an analytic backward pass.

A reference block mirrors the parts of ``torch.nn.Module`` the spec talks about:

* ``params`` / ``buffers``: its own arrays, by name; ``children``: sub-blocks, by name, in order.
* ``forward(x) -> (y, ctx)`` and ``backward(ctx, gy) -> gx``; backward *adds* each parameter's
  gradient into ``grads``, so a block used twice (tied) receives the sum of both uses, as in torch.
* ``forward_error(ctx, ex, prec) -> ey`` and ``backward_error(ctx, gy, egy, prec) -> egx``: how far
  a correct implementation in arithmetic ``prec`` may be from this exact result (see ``bounds``);
  parameter-gradient bounds accumulate into ``grad_errors`` alongside ``grads``.
* a ctx may list under ``"kinks"`` arrays whose zeros are points where the block is not
  differentiable (a ReLU's input, a halving threshold), for checks that need smooth neighbourhoods.
* naming follows torch: ``named_parameters()`` lists a shared parameter once (first name wins),
  ``state_dict()`` lists parameters then buffers of each block, depth first, under every name.
"""

from __future__ import annotations

from typing import Any, Iterator

import numpy as np

from .bounds import Precision, add_error


class Module:
    """Base of every reference block."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.buffers: dict[str, np.ndarray] = {}
        self.children: dict[str, Module] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.grad_errors: dict[str, np.ndarray] = {}
        self._error_pass_sums: dict[str, np.ndarray] = {}

    # -- the computation ---------------------------------------------------------------------
    def forward(self, x: np.ndarray) -> tuple[np.ndarray, Any]:
        raise NotImplementedError

    def backward(self, ctx: Any, gy: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def forward_error(self, ctx: Any, ex: np.ndarray, prec: Precision) -> np.ndarray:
        raise NotImplementedError

    def backward_error(self, ctx: Any, gy: np.ndarray, egy: np.ndarray, prec: Precision) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(np.asarray(x, dtype=np.float64))[0]

    # -- gradients ----------------------------------------------------------------------------
    def accumulate(self, name: str, grad: np.ndarray) -> None:
        """Add ``grad`` into ``grads[name]``, as autograd does for every use of a parameter."""
        old = self.grads.get(name)
        self.grads[name] = grad.copy() if old is None else old + grad

    def accumulate_error(self, name: str, grad: np.ndarray, err: np.ndarray, prec: Precision) -> None:
        """Add one use's gradient-error bound; a second use also costs the rounding of the sum."""
        old = self.grad_errors.get(name)
        previous = self._error_pass_sums.get(name)  # gradient of the uses this pass has seen
        if old is None or previous is None:
            self.grad_errors[name] = err.copy()
            self._error_pass_sums[name] = grad.copy()
        else:
            self.grad_errors[name] = add_error(previous, old, grad, err, prec)
            self._error_pass_sums[name] = previous + grad

    def zero_grad(self) -> None:
        for block in self.blocks():
            block.grads.clear()
            block.grad_errors.clear()
            block._error_pass_sums.clear()

    # -- naming -------------------------------------------------------------------------------
    def named_blocks(self, prefix: str = "") -> Iterator[tuple[str, "Module"]]:
        """Every (dotted name, block), self first, depth first, with repeats (like ``remove_duplicate=False``)."""
        yield prefix, self
        for name, child in self.children.items():
            yield from child.named_blocks(f"{prefix}.{name}" if prefix else name)

    def blocks(self) -> list["Module"]:
        seen: dict[int, Module] = {}
        for _, block in self.named_blocks():
            seen.setdefault(id(block), block)
        return list(seen.values())

    def _entries(self, which: str) -> Iterator[tuple[str, "Module", str]]:
        for prefix, block in self.named_blocks():
            for name in getattr(block, which):
                yield (f"{prefix}.{name}" if prefix else name), block, name

    def named_parameters(self) -> list[tuple[str, np.ndarray]]:
        """Parameters by dotted name; a parameter reachable under several names is listed once."""
        seen: set[tuple[int, str]] = set()
        out = []
        for full, block, name in self._entries("params"):
            if (id(block), name) not in seen:
                seen.add((id(block), name))
                out.append((full, block.params[name]))
        return out

    def state_dict(self) -> dict[str, np.ndarray]:
        """Parameters then buffers of each block, depth first, under every name they are reachable by."""
        out: dict[str, np.ndarray] = {}
        for prefix, block in self.named_blocks():
            for table in (block.params, block.buffers):
                for name, value in table.items():
                    out[f"{prefix}.{name}" if prefix else name] = value
        return out

    def buffers_named(self) -> list[str]:
        """Dotted names of every buffer (the spec's constants), depth first."""
        return [full for full, _, _ in self._entries("buffers")]

    def tied_names(self) -> list[list[str]]:
        """Groups of state_dict names that denote one parameter (groups of two or more)."""
        groups: dict[tuple[int, str], list[str]] = {}
        for full, block, name in self._entries("params"):
            groups.setdefault((id(block), name), []).append(full)
        return [names for names in groups.values() if len(names) > 1]

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Copy values (as float64) into the named parameters and buffers; every key must be known."""
        targets = {}
        for prefix, block in self.named_blocks():
            for table in (block.params, block.buffers):
                for name in table:
                    targets[f"{prefix}.{name}" if prefix else name] = (table, name)
        unknown = set(state) - set(targets)
        if unknown:
            raise KeyError(f"unexpected keys {sorted(unknown)}")
        for key, value in state.items():
            table, name = targets[key]
            value = np.asarray(value, dtype=np.float64)
            if value.shape != table[name].shape:
                raise ValueError(f"{key}: shape {value.shape}, expected {table[name].shape}")
            table[name] = value.copy()

    def grad_dict(self) -> dict[str, np.ndarray]:
        """Accumulated gradient under every parameter name (zeros for a parameter never reached)."""
        return {
            full: block.grads.get(name, np.zeros_like(block.params[name]))
            for full, block, name in self._entries("params")
        }

    def grad_error_dict(self) -> dict[str, np.ndarray]:
        return {
            full: block.grad_errors.get(name, np.zeros_like(block.params[name]))
            for full, block, name in self._entries("params")
        }

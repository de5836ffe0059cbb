"""An array described by a seed, a scale, a few special values at given positions and a memory
layout: small to print, and rebuilt exactly from its description (NumPy only, so listing the checks
imports no torch; ``ArraySpec.tensor`` imports it when called)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: The NumPy dtype an array's values are made in; bfloat16 (which NumPy lacks) is made in float32 and
#: rounded to bfloat16 by torch (round to nearest even), exactly as ``.to(torch.bfloat16)`` does.
NUMPY_DTYPES = {"float32": np.float32, "float64": np.float64, "float16": np.float16, "bfloat16": np.float32}

#: Memory layouts of the torch tensor an ArraySpec builds (its values do not depend on it, except
#: ``expanded``, whose rows repeat):
#:
#: * ``contiguous``: row-major, fresh storage;
#: * ``transposed``: the last two dims swapped in memory (``t.mT`` of a contiguous tensor), as a
#:   ``x.T`` handed over from feature-major code;
#: * ``permuted``: every dim reversed in memory (column-major), as a ``permute`` of leading dims;
#: * ``sliced``: every dim taken with step 2 from a buffer twice as large, the gaps NaN (``x[::2]``
#:   of a larger batch), so a kernel that reads past a stride reads NaN;
#: * ``offset``: contiguous, at storage offset 3 in a larger buffer (``buf[3:].view(shape)``);
#: * ``expanded``: the first dim of size > 1 broadcast from one row (stride 0, ``t.expand``): for
#:   arrays the operation only reads (inputs, upstream gradients), never parameters.
#:
#: A layout that does not apply (``transposed`` of a 1-d array, ``expanded`` with no dim > 1) is
#: the contiguous one.
LAYOUTS = ("contiguous", "transposed", "permuted", "sliced", "offset", "expanded")
#: The layouts a parameter may have (an optimizer writes parameters in place).
PARAM_LAYOUTS = tuple(layout for layout in LAYOUTS if layout != "expanded")
#: Storage offset of the ``offset`` layout.
OFFSET = 3


@dataclass(frozen=True)
class ArraySpec:
    """An array: standard normal values from ``seed`` times ``scale``, then ``specials`` placed at
    their (wrapped) flat positions; as a torch tensor, laid out in memory as ``layout`` says."""

    shape: tuple[int, ...]
    seed: int
    scale: float = 1.0
    specials: tuple[tuple[int, float], ...] = ()
    layout: str = "contiguous"
    high: int | None = None   # integers uniform in [0, high) (an Embedding's indices), int64 whatever the dtype

    def _expanded_dim(self) -> int | None:
        if self.layout != "expanded":
            return None
        return next((i for i, n in enumerate(self.shape) if n > 1), None)

    def make(self, dtype: str = "float64") -> np.ndarray:
        """The values, as a contiguous NumPy array."""
        dim = self._expanded_dim()
        shape = self.shape if dim is None else self.shape[:dim] + (1,) + self.shape[dim + 1:]
        if self.high is not None:
            indices = np.random.default_rng(self.seed).integers(0, max(self.high, 1), shape, dtype=np.int64)
            return indices if dim is None else np.array(np.broadcast_to(indices, self.shape))
        values = np.random.default_rng(self.seed).standard_normal(shape) * self.scale
        flat = values.reshape(-1)
        if flat.size:
            for position, value in self.specials:
                flat[position % flat.size] = value
        with np.errstate(over="ignore"):  # a large special value is infinite in float16, as a cast makes it
            values = flat.reshape(shape).astype(NUMPY_DTYPES[dtype])
        if dtype == "bfloat16":
            values = _bfloat16_values(values)
        return values if dim is None else np.array(np.broadcast_to(values, self.shape))

    def tensor(self, dtype: str = "float64", device: str = "cpu") -> Any:
        """The values as a torch tensor on ``device`` in this spec's memory layout (a view into a
        fresh buffer; a leaf that may be given ``requires_grad``)."""
        import torch

        values = self.make(dtype)
        ndim, layout = values.ndim, self.layout
        exact = torch.bfloat16 if dtype == "bfloat16" and self.high is None else None  # values already rounded

        def as_tensor(a: np.ndarray) -> Any:
            return torch.from_numpy(a).to(device=device, dtype=exact)

        if layout == "transposed" and ndim >= 2:
            return as_tensor(np.ascontiguousarray(np.swapaxes(values, -1, -2))).transpose(-1, -2)
        if layout == "permuted" and ndim >= 2:
            order = tuple(reversed(range(ndim)))
            return as_tensor(np.ascontiguousarray(values.transpose(order))).permute(order)
        gap = np.nan if self.high is None else self.high  # what a kernel reading past a stride reads
        if layout == "sliced" and ndim >= 1:
            buffer = np.full(tuple(2 * n for n in self.shape), gap, dtype=values.dtype)
            step = (slice(None, None, 2),) * ndim
            buffer[step] = values
            return as_tensor(buffer)[step]
        if layout == "offset":
            buffer = np.concatenate([np.full(OFFSET, gap, dtype=values.dtype), values.reshape(-1)])
            return as_tensor(buffer)[OFFSET:].view(self.shape)
        dim = self._expanded_dim()
        if dim is not None:
            row = np.array(values[(slice(None),) * dim + (slice(0, 1),)])
            return as_tensor(row).expand(self.shape)
        return as_tensor(values)

    def _args(self) -> str:
        specials = "(" + "".join(f"({p}, {_literal(v)}), " for p, v in self.specials).rstrip(", ")
        specials += ",)" if len(self.specials) == 1 else ")"
        layout = f", layout={self.layout!r}" if self.layout != "contiguous" else ""
        if self.high is not None:
            return f"shape={self.shape!r}, seed={self.seed}, high={self.high}{layout}"
        return f"shape={self.shape!r}, seed={self.seed}, scale={self.scale!r}, specials={specials}{layout}"

    def code(self, dtype: str, device: str = "cpu") -> str:
        """An expression building this tensor (``tensor``), for reproduction snippets."""
        return f"ArraySpec({self._args()}).tensor({dtype!r}, {device!r})"

    def __repr__(self) -> str:
        return f"ArraySpec({self._args()})"


def _literal(value: float) -> str:
    """A float as Python source that evaluates to it (NaN and infinities included)."""
    if value != value:
        return "float('nan')"
    if value in (float("inf"), float("-inf")):
        return ("-" if value < 0 else "") + "float('inf')"
    return repr(value)


def _bfloat16_values(values: np.ndarray) -> np.ndarray:
    """float32 values rounded to bfloat16 (by torch, round to nearest even), kept as float32."""
    import torch

    flat = np.ascontiguousarray(values.reshape(-1))  # (ascontiguousarray makes a 0-d array 1-d)
    return torch.from_numpy(flat).to(torch.bfloat16).to(torch.float32).numpy().reshape(values.shape)

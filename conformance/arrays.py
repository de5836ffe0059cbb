"""An array described by a seed, a scale and a few special values at given positions: small to
print, and rebuilt exactly from its description (NumPy only, so listing the checks imports no torch)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NUMPY_DTYPES = {"float32": np.float32, "float64": np.float64}


@dataclass(frozen=True)
class ArraySpec:
    """An array: standard normal values from ``seed`` times ``scale``, then ``specials`` placed at
    their (wrapped) flat positions."""

    shape: tuple[int, ...]
    seed: int
    scale: float = 1.0
    specials: tuple[tuple[int, float], ...] = ()

    def make(self, dtype: str = "float64") -> np.ndarray:
        values = np.random.default_rng(self.seed).standard_normal(self.shape) * self.scale
        flat = values.reshape(-1)
        if flat.size:
            for position, value in self.specials:
                flat[position % flat.size] = value
        return flat.reshape(self.shape).astype(NUMPY_DTYPES[dtype])

    def code(self, dtype: str) -> str:
        specials = f", specials={list(self.specials)!r}" if self.specials else ""
        return f"ArraySpec(shape={self.shape!r}, seed={self.seed}, scale={self.scale!r}{specials}).make({dtype!r})"

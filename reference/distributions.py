"""The spec's initialization distributions, as objects the checks test samples against.

NumPy and SciPy only (no torch): ``reference`` stays importable on its own. Each distribution states
its exact support (``contains``), its CDF, mean and variance, draws samples (for the power and
false-positive simulations of ``benchmarks/init_statistics.py``), and maps values to a standard form
(``standardize``) so that samples drawn with different parameters can be pooled.

What is specified (torch.nn semantics):

* ``Linear(in, out)``: weight and bias i.i.d. U(-1/sqrt(in), 1/sqrt(in)); bias 0 when in == 0
  (:func:`linear_default`).
* ``MyLinear(in_units, units)``: weight and bias i.i.d. N(0, 1) (:func:`mylinear_default`).
* ``FixedHiddenMLP``'s ``rand_weight``: i.i.d. U[0, 1) (:func:`rand_weight`).
* ``init.xavier_uniform_(t, gain)``: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)), with torch's
  fan rules (:func:`fans`, :func:`xavier_uniform_bound`).
* The tutorial's ``my_init``: U(-10, 10), then |w| < 5 set to 0 (:func:`my_init`): a point mass at 0
  with probability 1/2, and U([-10, -5] u [5, 10]) otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence, Union

import numpy as np

ArrayLike = Union[np.ndarray, float, Sequence[float]]


def _slack(rtol: float, *magnitudes: float) -> float:
    return rtol * max([abs(m) for m in magnitudes] + [1e-300])


@dataclass(frozen=True)
class Uniform:
    """U[low, high] (``closed``) or U[low, high) (half-open)."""

    low: float
    high: float
    closed: bool = True

    def __post_init__(self) -> None:
        if not self.low < self.high:
            raise ValueError(f"Uniform needs low < high, got [{self.low}, {self.high}]")

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    @property
    def var(self) -> float:
        return (self.high - self.low) ** 2 / 12

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    def contains(self, x: ArrayLike, rtol: float = 0.0) -> np.ndarray:
        """Elementwise: x in the support, the bounds widened by ``rtol`` times the larger bound's
        magnitude (the rounding of a bound to the sample's dtype). A half-open upper end stays strict."""
        x = np.asarray(x, dtype=np.float64)
        slack = _slack(rtol, self.low, self.high)
        upper = x <= self.high + slack if self.closed else x < self.high
        return (x >= self.low - slack) & upper

    def cdf(self, x: ArrayLike) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        return np.clip((x - self.low) / (self.high - self.low), 0.0, 1.0)

    def rvs(self, size: int | tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return rng.uniform(self.low, self.high, size)

    def standardize(self, x: ArrayLike) -> np.ndarray:
        """(x - mean) / half_width: U(-1, 1) when x ~ self."""
        return (np.asarray(x, dtype=np.float64) - self.mean) / self.half_width

    def __str__(self) -> str:
        return f"U[{self.low!r}, {self.high!r}{']' if self.closed else ')'}"


@dataclass(frozen=True)
class Normal:
    """N(mean, std^2)."""

    mu: float
    sigma: float

    def __post_init__(self) -> None:
        if not self.sigma > 0:
            raise ValueError(f"Normal needs std > 0, got {self.sigma}")

    @property
    def mean(self) -> float:
        return self.mu

    @property
    def var(self) -> float:
        return self.sigma ** 2

    def contains(self, x: ArrayLike, rtol: float = 0.0) -> np.ndarray:
        return np.isfinite(np.asarray(x, dtype=np.float64))

    def cdf(self, x: ArrayLike) -> np.ndarray:
        from scipy import special  # on first use: 0.25 s of import a run without init checks skips

        return special.ndtr((np.asarray(x, dtype=np.float64) - self.mu) / self.sigma)  # scipy.stats.norm.cdf

    def rvs(self, size: int | tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return rng.normal(self.mu, self.sigma, size)

    def standardize(self, x: ArrayLike) -> np.ndarray:
        return (np.asarray(x, dtype=np.float64) - self.mu) / self.sigma

    def __str__(self) -> str:
        return f"N({self.mu!r}, {self.sigma!r}^2)"


@dataclass(frozen=True)
class PointMass:
    """Every value equal to ``value`` (exactly: no rounding is involved in writing a constant)."""

    value: float

    @property
    def mean(self) -> float:
        return self.value

    @property
    def var(self) -> float:
        return 0.0

    def contains(self, x: ArrayLike, rtol: float = 0.0) -> np.ndarray:
        return np.asarray(x, dtype=np.float64) == self.value

    def cdf(self, x: ArrayLike) -> np.ndarray:
        return (np.asarray(x, dtype=np.float64) >= self.value).astype(np.float64)

    def rvs(self, size: int | tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return np.full(size, self.value, dtype=np.float64)

    def standardize(self, x: ArrayLike) -> np.ndarray:
        return np.asarray(x, dtype=np.float64)

    def __str__(self) -> str:
        return f"the constant {self.value!r}"


@dataclass(frozen=True, eq=False)
class Values:
    """Every entry fixed by the constructor's arguments (a causal mask, positional frequencies): the
    tensor, flattened in C order, equals ``values`` entry by entry. A block computes them at
    construction in torch's default dtype, float32, by a few operations, so each may be off by
    ``rtol`` of itself (16 float32 ulps: 2^-19) plus float32's smallest normal number."""

    values: np.ndarray
    rtol: float = 2.0**-19

    @property
    def mean(self) -> float:
        return float(np.mean(self.values)) if np.size(self.values) else 0.0

    @property
    def var(self) -> float:
        return 0.0

    def contains(self, x: ArrayLike, rtol: float = 0.0) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64).ravel()
        want = np.asarray(self.values, dtype=np.float64).ravel()
        if x.shape != want.shape:
            return np.zeros(x.shape, dtype=bool)
        with np.errstate(invalid="ignore"):
            return (x == want) | (np.abs(x - want) <= max(rtol, self.rtol) * np.abs(want) + 2.0**-126)

    def rvs(self, size: int | tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return np.broadcast_to(np.asarray(self.values, dtype=np.float64).ravel(), size).copy()

    def standardize(self, x: ArrayLike) -> np.ndarray:
        return np.asarray(x, dtype=np.float64)

    def __str__(self) -> str:
        v = np.asarray(self.values, dtype=np.float64).ravel()
        shown = ", ".join(f"{e:.6g}" for e in v[:4]) + (", ..." if v.size > 4 else "")
        return f"the declared values [{shown}] ({v.size} entries)"


@dataclass(frozen=True)
class Mixture:
    """A mixture of components with pairwise disjoint supports (so every value belongs to exactly one
    component): the law of the tutorial's ``my_init``. Only point masses and uniforms are allowed, so
    that membership is decided by the value alone."""

    components: tuple[Union[Uniform, PointMass], ...]
    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.components) != len(self.weights) or not self.components:
            raise ValueError("one weight per component")
        if abs(sum(self.weights) - 1.0) > 1e-12 or min(self.weights) <= 0:
            raise ValueError(f"weights must be positive and sum to 1, got {self.weights}")
        spans = sorted((c.low, c.high) if isinstance(c, Uniform) else (c.value, c.value) for c in self.components)
        for (_, hi), (lo, _) in zip(spans, spans[1:], strict=False):
            if not hi < lo:
                raise ValueError("the components' supports must be disjoint")

    @property
    def mean(self) -> float:
        return float(sum(w * c.mean for c, w in zip(self.components, self.weights, strict=True)))

    @property
    def var(self) -> float:
        """Law of total variance: E[Var | component] + Var[E | component]."""
        m = self.mean
        return float(sum(w * (c.var + (c.mean - m) ** 2) for c, w in zip(self.components, self.weights, strict=True)))

    def membership(self, x: ArrayLike, rtol: float = 0.0) -> np.ndarray:
        """The index of the component each value belongs to; -1 outside every support."""
        x = np.asarray(x, dtype=np.float64)
        out = np.full(x.shape, -1, dtype=np.int64)
        for i, c in enumerate(self.components):
            out[(out == -1) & c.contains(x, rtol)] = i
        return out

    def contains(self, x: ArrayLike, rtol: float = 0.0) -> np.ndarray:
        return self.membership(x, rtol) >= 0

    def cdf(self, x: ArrayLike) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        return sum((w * c.cdf(x) for c, w in zip(self.components, self.weights, strict=True)), np.zeros(x.shape))

    def rvs(self, size: int | tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        shape = (size,) if isinstance(size, int) else tuple(size)
        which = rng.choice(len(self.components), size=shape, p=np.asarray(self.weights))
        out = np.empty(shape, dtype=np.float64)
        for i, c in enumerate(self.components):
            mask = which == i
            out[mask] = c.rvs(int(mask.sum()), rng)
        return out

    def standardize(self, x: ArrayLike) -> np.ndarray:
        return np.asarray(x, dtype=np.float64)

    def __str__(self) -> str:
        return " + ".join(f"{w:g} * {c}" for c, w in zip(self.components, self.weights, strict=True))


Distribution = Union[Uniform, Normal, PointMass, Values, Mixture]


# -- torch's fan rules and the specified initializations ----------------------------------------------
def fans(shape: Sequence[int]) -> tuple[int, int]:
    """torch.nn.init's fans: fan_in = size(1) * receptive field, fan_out = size(0) * receptive field,
    the receptive field being the product of the dims after the first two (1 for a 2-D tensor).
    Fewer than 2 dims raises ValueError."""
    shape = tuple(int(s) for s in shape)
    if len(shape) < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def xavier_uniform_bound(shape: Sequence[int], gain: float = 1.0) -> float:
    """a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = fans(shape)
    return gain * math.sqrt(6.0 / float(fan_in + fan_out))


def linear_bound(in_features: int) -> float:
    """1 / sqrt(in_features), and 0 when in_features == 0."""
    return 1.0 / math.sqrt(in_features) if in_features > 0 else 0.0


def linear_default(in_features: int) -> Uniform | PointMass:
    """The law of every entry of ``Linear(in_features, out)``'s weight and bias."""
    bound = linear_bound(in_features)
    return Uniform(-bound, bound) if bound > 0 else PointMass(0.0)


def mylinear_default() -> Normal:
    """The law of every entry of ``MyLinear``'s weight and bias."""
    return Normal(0.0, 1.0)


def rand_weight() -> Uniform:
    """The law of every entry of ``FixedHiddenMLP.rand_weight`` (``torch.rand``)."""
    return Uniform(0.0, 1.0, closed=False)


MY_INIT_BOUND = 10.0
MY_INIT_THRESHOLD = 5.0


def my_init() -> Mixture:
    """The tutorial's ``my_init``: w ~ U(-10, 10), then w := 0 where |w| < 5. So P(w = 0) = 1/2, and
    otherwise w is uniform on [-10, -5] u [5, 10] (each band with probability 1/4)."""
    b, t = MY_INIT_BOUND, MY_INIT_THRESHOLD
    p_zero = t / b
    return Mixture((Uniform(-b, -t), PointMass(0.0), Uniform(t, b)), ((1 - p_zero) / 2, p_zero, (1 - p_zero) / 2))

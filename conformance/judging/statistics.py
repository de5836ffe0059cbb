"""The one statistical decision of the init checks: does a sample follow a reference distribution?

``assess(sample, dist, alpha)`` is used both by the checks (``conformance/checks/init/``) and by
the power and false-positive simulations (``benchmarks/init_statistics.py``), so the figures the
docs quote are those of the code that runs. See ``docs/init_statistics.md`` for the design.

Tests, by the distribution's kind (each test's p-value is exact or an upper bound, so it rejects a
correct sample with probability at most its threshold):

* every kind: **support**, exact (no false positive at all): every value inside the support, the
  bounds widened by ``rtol`` for the rounding of a bound to the sample's dtype.
* ``Uniform`` (standardized to U(-1, 1)): **range**, the exact order-statistic test on the extremes:
  P(max z <= m) = ((m + 1) / 2)^n, P(min z >= m) = ((1 - m) / 2)^n, P(max |z| <= m) = m^n, the three
  combined by Bonferroni. It sees a bound that is too small by a factor r after ~ln(1/alpha)/ln(1/r)
  values (a bound too large breaks the support). **ks**: Kolmogorov-Smirnov distance to the CDF.
* ``Normal`` (standardized to N(0, 1)): **mean** (z-test, sum z / sqrt(n) ~ N(0, 1)), **variance**
  (two-sided chi-square test, sum z^2 ~ chi2(n)), **ks**.
* ``Mixture`` of disjoint point masses and uniforms: **membership** (exact binomial tests of the
  count in each component, Bonferroni-combined); **range** on each uniform component's values
  standardized by that component (Bonferroni over components); **ks** on those values pooled.

KS p-values are the Dvoretzky-Kiefer-Wolfowitz-Massart bound P(D >= d) <= 2 exp(-2 n d^2), valid at
every n (scipy's asymptotic Kolmogorov p-value is not guaranteed at thresholds near 1e-7); the
statistic is ``scipy.stats.kstest``'s (computed by ``ks_statistic``).

``alpha`` is the sample's whole share of the false-positive budget: it is split evenly among the
statistical tests the distribution's kind runs (``n_tests(dist)``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from reference.distributions import Distribution, Normal, PointMass, Uniform, Values

#: The design target: the probability that one run of the whole init area fails a correct implementation.
ALPHA_RUN = 1e-4
#: Statistical checks the budget provides for (the registry has at most this many; a test asserts it).
STATISTICAL_CHECK_BUDGET = 10
#: Each statistical check's share of ALPHA_RUN (Bonferroni): 1e-5.
ALPHA_CHECK = ALPHA_RUN / STATISTICAL_CHECK_BUDGET


@dataclass(frozen=True)
class Verdict:
    """A rejection: which test, its statistic, p-value and the threshold it fell under."""

    test: str
    n: int
    statistic: float
    pvalue: float
    threshold: float
    detail: str = ""

    def __str__(self) -> str:
        what = f"{self.test} test: n={self.n}, statistic {self.statistic:.6g}"
        if self.test == "support":
            return f"{what} (values outside the support): {self.detail}"
        return f"{what}, p-value {self.pvalue:.3g} <= threshold {self.threshold:.3g}" + (
            f"; {self.detail}" if self.detail else "")


# -- the tests --------------------------------------------------------------------------------------
def _special():
    """``scipy.special``: the distribution functions scipy.stats calls, without its 1 s import; imported
    on first use (0.25 s), so a process whose checks test no sample never pays it."""
    from scipy import special

    return special


def _pow_p(base: float, n: int) -> float:
    """base ** n for base in [0, 1], without underflow surprises."""
    if base <= 0.0:
        return 0.0
    return math.exp(n * math.log(min(base, 1.0)))


def range_test(z: np.ndarray) -> tuple[float, float, str]:
    """Exact tests of the extremes of a U(-1, 1) sample (``z`` clipped to [-1, 1]): too concentrated
    at the top, at the bottom, or around the center. Bonferroni over the three."""
    n = z.size
    hi, lo = float(z.max()), float(z.min())
    fold = max(abs(hi), abs(lo))
    p_hi, p_lo, p_fold = _pow_p((hi + 1) / 2, n), _pow_p((1 - lo) / 2, n), _pow_p(fold, n)
    p = min(1.0, 3 * min(p_hi, p_lo, p_fold))
    stat, name = min((p_hi, hi, "max z"), (p_lo, lo, "min z"), (p_fold, fold, "max |z|"))[1:]
    return p, stat, f"{name} = {stat:.6g} (standardized support [-1, 1])"


def range_test_components(parts: list[np.ndarray]) -> tuple[float, float, str]:
    """The range test of each uniform component's standardized values (components mirror each other,
    so pooling them would hide a band cut short at its outer or inner end), Bonferroni over them."""
    results = [(range_test(z), i) for i, z in enumerate(parts) if z.size]
    if not results:
        return 1.0, 0.0, ""
    (p, stat, detail), i = min(results, key=lambda r: r[0][0])
    return min(1.0, len(results) * p), stat, f"uniform component {i + 1} of {len(parts)}: {detail}"


def ks_statistic(z: np.ndarray, cdf: Callable[[np.ndarray], np.ndarray]) -> float:
    """The two-sided Kolmogorov-Smirnov distance sup |F_n - F| (equal to ``scipy.stats.kstest``'s
    statistic, which tests/test_distributions.py checks; computed here without scipy's per-call overhead)."""
    n = z.size
    f = cdf(np.sort(z))
    steps = np.arange(n + 1, dtype=np.float64) / n
    return float(max((steps[1:] - f).max(), (f - steps[:-1]).max()))


def ks_test(z: np.ndarray, cdf: Callable[[np.ndarray], np.ndarray]) -> tuple[float, float, str]:
    d = ks_statistic(z, cdf)
    p = min(1.0, 2.0 * math.exp(-2.0 * z.size * d * d))
    return p, d, "Kolmogorov-Smirnov distance D to the reference CDF (p: DKW-Massart bound)"


def mean_test(z: np.ndarray) -> tuple[float, float, str]:
    s = float(z.sum()) / math.sqrt(z.size)
    p = float(min(1.0, 2 * _special().ndtr(-abs(s))))
    return p, float(z.mean()), "mean of the standardized sample (expected 0)"


def variance_test(z: np.ndarray) -> tuple[float, float, str]:
    n = z.size
    s = float(np.einsum("i,i->", z, z))  # (np.dot may hand 20k values to a threaded BLAS: 100x slower)
    p = float(min(1.0, 2 * min(_special().chdtr(n, s), _special().chdtrc(n, s))))  # chi2(n) cdf, sf
    return p, s / n, "mean square of the standardized sample (expected 1; sum ~ chi2(n))"


def membership_test(which: np.ndarray, weights: tuple[float, ...]) -> tuple[float, float, str]:
    """Exact binomial tests, one per component but the last: the count in component i among the
    values not in components < i, with probability w_i / sum_{j >= i} w_j (two-sided: twice the smaller
    exact tail). Bonferroni over them."""
    pvalues, worst = [], (1.0, 0.0, "")
    remaining = which
    for i, w in enumerate(weights[:-1]):
        q = w / sum(weights[i:])
        k, m = int((remaining == i).sum()), int(remaining.size)
        if m:
            # two-sided by doubling the smaller exact tail: valid (conservative), and fast
            p = float(min(1.0, 2 * min(_special().bdtr(k, m, q), _special().bdtrc(k - 1, m, q))))  # binomial cdf, sf
            pvalues.append(p)
            if p <= worst[0]:
                worst = (p, k / m, f"fraction in component {i} = {k}/{m} = {k / m:.4g} (expected {q:.4g})")
        remaining = remaining[remaining != i]
    if not pvalues:
        return 1.0, 0.0, ""
    return min(1.0, len(pvalues) * min(pvalues)), worst[1], worst[2]


STANDARD_UNIFORM = Uniform(-1.0, 1.0)
STANDARD_NORMAL = Normal(0.0, 1.0)


def n_tests(dist: Distribution) -> int:
    """How many statistical tests share a sample's alpha (the support test is exact and costs none)."""
    if isinstance(dist, (PointMass, Values)):
        return 0
    if isinstance(dist, Uniform):
        return 2
    if isinstance(dist, Normal):
        return 3
    return 3 if any(isinstance(c, Uniform) for c in dist.components) else 1


def _tests(x: np.ndarray, dist: Distribution, rtol: float) -> list[tuple[str, Callable[[], tuple[float, float, str]]]]:
    if isinstance(dist, (PointMass, Values)):
        return []
    if isinstance(dist, Uniform):
        z = np.clip(dist.standardize(x), -1.0, 1.0)
        return [("range", lambda: range_test(z)), ("ks", lambda: ks_test(z, STANDARD_UNIFORM.cdf))]
    if isinstance(dist, Normal):
        z = dist.standardize(x)
        return [("mean", lambda: mean_test(z)), ("variance", lambda: variance_test(z)),
                ("ks", lambda: ks_test(z, STANDARD_NORMAL.cdf))]
    which = dist.membership(x, rtol)
    out: list[tuple[str, Callable[[], tuple[float, float, str]]]] = [
        ("membership", lambda: membership_test(which, dist.weights))]
    parts = [np.clip(c.standardize(x[which == i]), -1.0, 1.0)
             for i, c in enumerate(dist.components) if isinstance(c, Uniform)]
    if parts:
        z = np.concatenate(parts)
        out += [("range", lambda: range_test_components(parts)),
                ("ks", lambda: ks_test(z, STANDARD_UNIFORM.cdf) if z.size else (1.0, 0.0, ""))]
    return out


def assess(sample: np.ndarray, dist: Distribution, alpha: float, rtol: float = 0.0) -> Verdict | None:
    """None when ``sample`` (i.i.d. values, any shape) is consistent with ``dist``; otherwise the
    Verdict of the test that rejects it. A correct sample is rejected with probability <= ``alpha``
    (the support test never rejects one; the statistical tests share ``alpha`` evenly)."""
    x = np.asarray(sample, dtype=np.float64).ravel()
    n = int(x.size)
    inside = dist.contains(x, rtol)
    if not bool(inside.all()):
        bad = x[~inside]
        worst = bad[np.argmax(np.abs(bad))] if np.all(np.isfinite(bad)) else bad[~np.isfinite(bad)][0]
        return Verdict("support", n, float(bad.size), 0.0, 0.0,
                       f"{bad.size} of {n} values outside {dist}; e.g. {float(worst)!r}, first ones "
                       f"{[float(v) for v in bad[:5]]}")
    if n == 0:
        return None
    tests = _tests(x, dist, rtol)
    if not tests:
        return None
    threshold = alpha / len(tests)
    rejected = []
    for name, run in tests:
        p, stat, detail = run()
        if p <= threshold:
            rejected.append(Verdict(name, n, stat, p, threshold, detail))
    return min(rejected, key=lambda v: v.pvalue) if rejected else None


def describe_sample(sample: np.ndarray) -> str:
    x = np.asarray(sample, dtype=np.float64).ravel()
    if not x.size:
        return "empty sample"
    return (f"n={x.size}, mean {x.mean():.6g}, std {x.std():.6g}, min {x.min():.6g}, max {x.max():.6g}")

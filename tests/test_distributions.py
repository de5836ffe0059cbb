"""The init area's reference laws (``reference/distributions.py``) and decision function
(``conformance/judging/statistics.py``) against closed forms, SciPy, numerical integration and torch's own fan
rules; the validity of the p-values (a correct sample is rejected at most at the rate alpha); and the
false-positive budget's arithmetic.

Every random draw here is seeded: these tests are deterministic.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from conformance.judging import statistics as S
from reference import distributions as D

ROOT = Path(__file__).resolve().parents[1]


def test_distributions_import_without_torch():
    code = ("import sys, importlib.abc\n"
            "class NoTorch(importlib.abc.MetaPathFinder):\n"
            "    def find_spec(self, name, path, target=None):\n"
            "        if name.split('.')[0] == 'torch':\n"
            "            raise ImportError('torch is blocked')\n"
            "sys.meta_path.insert(0, NoTorch())\n"
            "import reference.distributions as D\n"
            "import scipy.stats\n"
            "assert 'torch' not in sys.modules\n"
            "print(D.my_init(), D.Normal(0, 1).cdf(0.0))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


# -- the laws --------------------------------------------------------------------------------------
@given(low=st.floats(-100, 100), width=st.floats(1e-3, 100), x=st.floats(-300, 300))
def test_uniform_matches_scipy(low, width, x):
    u = D.Uniform(low, low + width)
    ref = stats.uniform(loc=low, scale=u.high - u.low)
    assert u.cdf(x) == pytest.approx(ref.cdf(x), abs=1e-12)
    assert u.mean == pytest.approx(ref.mean(), rel=1e-12, abs=1e-12)
    assert u.var == pytest.approx(ref.var(), rel=1e-9)


def test_uniform_support_closed_half_open_and_rounding_slack():
    closed, half = D.Uniform(-1.0, 1.0), D.Uniform(0.0, 1.0, closed=False)
    assert closed.contains([-1.0, 0.0, 1.0]).all() and not closed.contains([1.0 + 1e-9]).any()
    assert closed.contains([1.0 + 1e-9], rtol=1e-8).all() and not closed.contains([1.0 + 1e-7], rtol=1e-8).any()
    assert half.contains([0.0, 1.0 - 2**-24]).all() and not half.contains([1.0]).any()
    assert not half.contains([1.0], rtol=1e-3).any(), "a half-open end stays strict"
    assert np.allclose(D.Uniform(2.0, 6.0).standardize([2.0, 4.0, 6.0]), [-1, 0, 1])


@given(mu=st.floats(-100, 100), sigma=st.floats(1e-3, 100), x=st.floats(-1e3, 1e3))
def test_normal_matches_scipy(mu, sigma, x):
    n = D.Normal(mu, sigma)
    assert n.cdf(x) == pytest.approx(stats.norm(mu, sigma).cdf(x), abs=1e-12)
    assert (n.mean, n.var) == (mu, sigma ** 2)
    assert n.standardize(mu + 2 * sigma) == pytest.approx(2.0)


def test_point_mass_is_exact():
    p = D.PointMass(0.0)
    assert p.contains([0.0, -0.0]).all() and not p.contains([1e-300], rtol=1.0).any()
    assert list(p.cdf([-1e-300, 0.0])) == [0.0, 1.0] and (p.mean, p.var) == (0.0, 0.0)


def my_init_density(x: float) -> float:
    """The continuous part's density: 1/2 spread over [-10, -5] u [5, 10] (total length 10)."""
    return 0.5 / 10 if 5 <= abs(x) <= 10 else 0.0


def test_my_init_law_closed_forms_and_integration():
    m = D.my_init()
    assert m.weights == (0.25, 0.5, 0.25)
    assert m.mean == 0.0
    # E[w^2] = 1/2 * (1/5) * int_5^10 w^2 dw = (10^3 - 5^3) / 30
    assert m.var == pytest.approx((1000 - 125) / 30, rel=1e-12)
    second, _ = integrate.quad(lambda x: x * x * my_init_density(x), -10, 10, points=[-5, 5], limit=200)
    assert m.var == pytest.approx(second, rel=1e-9)
    mass, _ = integrate.quad(my_init_density, -10, 10, points=[-5, 5], limit=200)
    assert mass == pytest.approx(0.5, rel=1e-12), "the continuous part carries 1/2, the atom at 0 the rest"
    for x in (-10, -7.5, -5, -1e-12, 0.0, 3.0, 5.0, 8.0, 10.0):
        continuous, _ = integrate.quad(my_init_density, -10, x, points=[p for p in (-5, 5) if p < x] or None)
        assert m.cdf(x) == pytest.approx(continuous + (0.5 if x >= 0 else 0.0), abs=1e-9)
    assert list(m.membership([-7.0, 0.0, 6.0, 4.0, -0.0])) == [0, 1, 2, -1, 1]


def test_my_init_law_is_the_recipes_outcome():
    """U(-10, 10), then 0 where |w| < 5, in NumPy, against the Mixture (membership counts, CDF)."""
    rng = np.random.default_rng(5)
    w = rng.uniform(-10, 10, 400_000)
    w = np.where(np.abs(w) >= 5, w, 0.0)
    m = D.my_init()
    counts = np.bincount(m.membership(w), minlength=3) / w.size
    assert counts == pytest.approx(m.weights, abs=0.005)
    grid = np.linspace(-10, 10, 41)
    empirical = np.searchsorted(np.sort(w), grid, side="right") / w.size
    assert np.max(np.abs(empirical - m.cdf(grid))) < 0.005
    draws = m.rvs(400_000, rng)
    assert draws.mean() == pytest.approx(m.mean, abs=0.05) and draws.var() == pytest.approx(m.var, rel=0.01)


def test_mixture_rejects_overlapping_components():
    with pytest.raises(ValueError):
        D.Mixture((D.Uniform(0, 2), D.Uniform(1, 3)), (0.5, 0.5))


# -- torch's fan rules -------------------------------------------------------------------------------
@settings(max_examples=60)
@given(shape=st.lists(st.integers(1, 7), min_size=2, max_size=5).map(tuple), gain=st.floats(0.1, 10))
def test_fans_and_xavier_bound_match_torch(shape, gain):
    import torch
    from torch import nn

    t = torch.empty(shape)
    assert D.fans(shape) == nn.init._calculate_fan_in_and_fan_out(t)
    fan_in, fan_out = D.fans(shape)
    assert D.xavier_uniform_bound(shape, gain) == pytest.approx(gain * math.sqrt(6 / (fan_in + fan_out)), rel=1e-15)
    bound = D.xavier_uniform_bound(shape, gain)
    torch.manual_seed(0)
    values = nn.init.xavier_uniform_(torch.empty(shape, dtype=torch.float64), gain=gain)
    assert float(values.abs().max()) <= bound


@pytest.mark.parametrize("shape", [(), (3,), (0,)])
def test_fans_need_two_dims(shape):
    with pytest.raises(ValueError):
        D.fans(shape)


def test_linear_default_law():
    assert D.linear_default(4) == D.Uniform(-0.5, 0.5)
    assert D.linear_default(0) == D.PointMass(0.0) and D.linear_bound(0) == 0.0
    assert D.mylinear_default() == D.Normal(0.0, 1.0) and D.rand_weight() == D.Uniform(0.0, 1.0, closed=False)


# -- the decision function ---------------------------------------------------------------------------
@settings(max_examples=40)
@given(n=st.integers(1, 3000), seed=st.integers(0, 2**32 - 1))
def test_ks_statistic_is_scipys(n, seed):
    z = np.random.default_rng(seed).normal(0.1, 1.0, n)
    assert S.ks_statistic(z, S.STANDARD_NORMAL.cdf) == pytest.approx(stats.kstest(z, stats.norm.cdf).statistic,
                                                                     abs=1e-14)


@settings(max_examples=40)
@given(n=st.integers(1, 3000), seed=st.integers(0, 2**32 - 1), q=st.floats(0.01, 0.99))
def test_p_values_are_scipy_stats(n, seed, q):
    """The tests call scipy.special's distribution functions (scipy.stats costs a second to import):
    the same p-values as the scipy.stats formulation."""
    z = np.random.default_rng(seed).normal(0.05, 1.0, n)
    s = float(z.sum()) / math.sqrt(n)
    assert S.mean_test(z)[0] == pytest.approx(min(1.0, 2 * stats.norm.sf(abs(s))), rel=1e-12, abs=1e-300)
    ss = float((z * z).sum())
    assert S.variance_test(z)[0] == pytest.approx(min(1.0, 2 * min(stats.chi2.cdf(ss, n), stats.chi2.sf(ss, n))),
                                                  rel=1e-9, abs=1e-300)
    which = (np.random.default_rng(seed + 1).uniform(size=n) >= q).astype(int)
    k = int((which == 0).sum())
    exact = min(1.0, 2 * min(stats.binom.cdf(k, n, q), stats.binom.sf(k - 1, n, q)))
    assert S.membership_test(which, (q, 1 - q))[0] == pytest.approx(exact, rel=1e-9, abs=1e-300)
    x = np.linspace(-4, 4, 17)
    np.testing.assert_allclose(D.Normal(0.3, 2.0).cdf(x), stats.norm.cdf(x, loc=0.3, scale=2.0), rtol=1e-12, atol=0)


def test_range_test_p_values_are_exact():
    """Under U(-1, 1) each one-sided extreme p-value is U(0, 1), so the Bonferroni combination of the
    three rejects at a rate between alpha / 3 (the rate of one of them) and alpha: valid, and not blind."""
    rng = np.random.default_rng(11)
    n = 50
    fold = np.array([max(abs(rng.uniform(-1, 1, n))) ** n for _ in range(4000)])
    assert stats.kstest(fold, "uniform").pvalue > 1e-3
    ps = np.array([S.range_test(rng.uniform(-1, 1, n))[0] for _ in range(4000)])
    for alpha in (0.3, 0.1, 0.03):
        rate, sigma = np.mean(ps <= alpha), math.sqrt(alpha / 4000)
        assert alpha / 3 - 3 * sigma <= rate <= alpha + 3 * sigma, (alpha, rate)


@pytest.mark.parametrize("dist", [S.STANDARD_UNIFORM, S.STANDARD_NORMAL, D.my_init(), D.Uniform(-1.0, 1.0, False)],
                         ids=["uniform", "normal", "my_init", "half-open"])
@pytest.mark.parametrize("n", [30, 2000])
def test_assess_rejects_correct_samples_at_most_at_rate_alpha(dist, n):
    """Calibration at alphas large enough to measure: the rejection rate of reference samples does not
    exceed alpha by more than 3 binomial standard errors (seeded: deterministic)."""
    rng = np.random.default_rng([n, 7])
    runs = 1500
    for alpha in (0.2, 0.05):
        rejected = sum(S.assess(dist.rvs(n, rng), dist, alpha) is not None for _ in range(runs))
        assert rejected / runs <= alpha + 3 * math.sqrt(alpha * (1 - alpha) / runs), (alpha, rejected)


@pytest.mark.parametrize("sample, dist, test", [
    (np.random.default_rng(1).uniform(-0.95, 0.95, 4000), S.STANDARD_UNIFORM, "range"),
    (np.random.default_rng(2).uniform(-1.05, 1.05, 4000), S.STANDARD_UNIFORM, "support"),
    (np.random.default_rng(3).normal(0, 1.05, 20000), S.STANDARD_NORMAL, "variance"),
    (np.random.default_rng(4).normal(0.1, 1.0, 20000), S.STANDARD_NORMAL, "mean"),
    (np.random.default_rng(5).uniform(-math.sqrt(3), math.sqrt(3), 20000), S.STANDARD_NORMAL, "ks"),
    (np.r_[np.zeros(3000), np.random.default_rng(6).uniform(5, 10, 1000)], D.my_init(), "membership"),
    (np.r_[np.zeros(2000), np.random.default_rng(7).uniform(5, 9.5, 1000),
           -np.random.default_rng(8).uniform(5, 9.5, 1000)], D.my_init(), "range"),
])
def test_assess_sees_the_alternatives(sample, dist, test):
    verdict = S.assess(sample, dist, S.ALPHA_CHECK / 7)
    assert verdict is not None and verdict.test == test, verdict
    assert verdict.pvalue <= verdict.threshold
    assert str(verdict).startswith(f"{test} test")


def test_assess_support_is_exact_and_empty_passes():
    verdict = S.assess(np.array([0.0, 0.5, 1.0 + 1e-6]), S.STANDARD_UNIFORM, 1e-5, rtol=1e-7)
    assert verdict is not None and verdict.test == "support" and verdict.pvalue == 0.0
    assert S.assess(np.array([0.0, 0.5, 1.0 + 1e-8]), S.STANDARD_UNIFORM, 1e-5, rtol=1e-7) is None
    assert S.assess(np.zeros(0), S.STANDARD_NORMAL, 1e-5) is None
    assert S.assess(np.array([np.nan]), S.STANDARD_NORMAL, 1e-5).test == "support"
    assert S.assess(np.zeros(5), D.PointMass(0.0), 1e-5) is None


def test_tests_per_kind():
    assert [S.n_tests(d) for d in (D.PointMass(0), S.STANDARD_UNIFORM, S.STANDARD_NORMAL, D.my_init())] == [0, 2, 3, 3]


# -- the false-positive budget -----------------------------------------------------------------------
def test_false_positive_budget_adds_up():
    """The registry's statistical checks times ALPHA_CHECK stay within ALPHA_RUN; every other init check
    is exact (no statistical test, no false positive)."""
    import conformance
    from conformance.checks.init import STATISTICAL

    init_ids = {c.id for c in conformance.all_checks() if c.area == "init"}
    assert set(STATISTICAL) <= init_ids
    assert len(STATISTICAL) <= S.STATISTICAL_CHECK_BUDGET  # each spends ALPHA_CHECK = ALPHA_RUN / budget
    for check_id, (sampler, _design) in STATISTICAL.items():
        assert S.n_tests(sampler.dist) > 0, check_id


def test_only_the_budgeted_checks_run_statistical_tests(monkeypatch):
    """The budget above counts the checks listed in STATISTICAL; running every init check shows that
    exactly those call ``assess``, and each with its design's per-group alpha."""
    from hypothesis import settings

    import conformance
    from conformance.checks import init as init_checks

    calls: list[float] = []

    def counting_assess(sample, dist, alpha, *args, **kwargs):
        calls.append(alpha)
        return S.assess(sample, dist, alpha, *args, **kwargs)

    monkeypatch.setattr(init_checks.sampling, "assess", counting_assess)
    fast = settings(max_examples=3, derandomize=True, database=None, deadline=None)
    for check in (c for c in conformance.all_checks() if c.area == "init"):
        calls.clear()
        # in this process: ``assess`` is counted here
        report = conformance.run("torch", checks=[check.id], settings=fast, isolate=False)
        assert report.ok, check.id
        if check.id in init_checks.STATISTICAL:
            design = init_checks.STATISTICAL[check.id][1]
            assert len(calls) == init_checks.n_groups(design), check.id
            assert set(calls) == {init_checks.group_alpha(design)}, check.id
        else:
            assert calls == [], f"{check.id} runs a statistical test outside the false-positive budget"

"""False-positive and power figures of the init checks (``docs/init_statistics.md`` quotes them).

    python benchmarks/init_statistics.py                    # power (3000 runs each), FP simulation, 5 seeds (~5 min)
    python benchmarks/init_statistics.py --seeds 200 -j 2   # plus the init area on real targets under 200 seeds
    python benchmarks/init_statistics.py --only power --runs 1000

Three parts, all through the decision function the checks use (``conformance.judging.statistics.assess``), with
the checks' own sample designs (``conformance.checks.init.STATISTICAL``) and thresholds:

1. **power**: for each check and each alternative (a bound or std 5% off, the right mean and variance
   with the wrong shape, a fan from the wrong dimension, ...), NumPy draws the standardized values the
   check's design groups would hold under the alternative; a run "catches" when ``assess`` rejects
   some group at the check's per-group threshold. Only the groups the alternative affects are drawn
   (the drawn-example group and unaffected groups can only add rejections), so the figures are lower
   bounds. With 0 misses in R runs the 95% upper bound on the miss rate is 1 - 0.05^(1/R) (~3/R).
2. **fp (simulation)**: every group of every statistical check drawn from its reference law; the
   rejection rate at the real thresholds (expected 0), and at inflated per-group alphas 0.05 and 0.01
   (must not exceed them: the p-values are valid).
3. **seeds**: the whole init area run by ``conformance.run`` on the default target and on an
   independent correct implementation (tests/correct/init_blocks.py), non-derandomized, 20 examples
   per check, Hypothesis seed 0..N-1: failures expected 0.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from conformance.judging.statistics import ALPHA_CHECK, ALPHA_RUN, assess  # noqa: E402
from reference import distributions as D  # noqa: E402

Draw = Callable[[np.random.Generator, int], np.ndarray]


# -- the checks' groups ------------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupSpec:
    check: str
    case: tuple
    part: str
    n: int


def design_groups() -> dict[str, list[GroupSpec]]:
    """Each statistical check's design groups with their sizes, measured by running one repetition of
    each design case on the default target."""
    import conformance
    from conformance.checks.init import STATISTICAL, InitRunner
    from conformance.core.context import CheckContext
    from conformance.loading.target import load_target

    ctx = CheckContext(load_target("torch"))
    checks = {c.id: c for c in conformance.all_checks()}
    out: dict[str, list[GroupSpec]] = {}
    for check_id, (sampler, design) in STATISTICAL.items():
        runner = InitRunner(ctx, checks[check_id], sampler)
        groups = []
        for d in design:
            parts = runner.sample(d.case, 0, 1, "size")
            for part in d.parts:
                groups.append(GroupSpec(check_id, d.case, part, d.reps * sum(v.size for v in parts[part])))
        out[check_id] = groups
    return out


def check_alpha(check_id: str) -> float:
    from conformance.checks.init import STATISTICAL, group_alpha

    return group_alpha(STATISTICAL[check_id][1])


def check_dist(check_id: str) -> D.Distribution:
    from conformance.checks.init import STATISTICAL

    return STATISTICAL[check_id][0].dist


# -- alternatives, as laws of the standardized values ------------------------------------------------
def uniform(r: float, lo: float | None = None) -> Draw:
    return lambda rng, n: rng.uniform(-r if lo is None else lo, r, n)


def normal(s: float) -> Draw:
    return lambda rng, n: rng.normal(0.0, s, n)


def laplace_var(v: float) -> Draw:
    return lambda rng, n: rng.laplace(0.0, math.sqrt(v / 2), n)


def same_support_uniform_moments() -> Draw:
    """4/9 arcsine + 5/9 Beta(2, 2) on [-1, 1]: support, mean 0 and variance 1/3 of U(-1, 1), another shape."""
    def draw(rng: np.random.Generator, n: int) -> np.ndarray:
        arcsine = np.sin(np.pi * (rng.random(n) - 0.5))
        beta = 2 * rng.beta(2, 2, n) - 1
        return np.where(rng.random(n) < 4 / 9, arcsine, beta)
    return draw


def my_init_law(bound: float = 10.0, threshold: float = 5.0) -> Draw:
    def draw(rng: np.random.Generator, n: int) -> np.ndarray:
        w = rng.uniform(-bound, bound, n)
        return np.where(np.abs(w) >= threshold, w, 0.0)
    return draw


def every_group(law: Draw) -> Callable[[GroupSpec], Draw | None]:
    return lambda g: law


def ratio(r: Callable[[GroupSpec], float], kind: str = "uniform") -> Callable[[GroupSpec], Draw | None]:
    """A scale error that depends on the case: U(-r, r) (or N(0, r^2)); unaffected groups (r == 1) skipped."""
    def per_group(g: GroupSpec) -> Draw | None:
        x = r(g)
        if abs(x - 1) < 1e-12:
            return None
        return uniform(x) if kind == "uniform" else normal(x)
    return per_group


def xavier_ratio(fan_rule: Callable[[tuple], tuple[int, int]], gain_rule: Callable[[float], float] = lambda g: g):
    def r(g: GroupSpec) -> float:
        shape, gain = g.case[0], g.case[3]
        fi, fo = fan_rule(shape)
        return gain_rule(gain) * math.sqrt(6 / (fi + fo)) / D.xavier_uniform_bound(shape, gain)
    return r


def last_dim_fans(shape: tuple) -> tuple[int, int]:
    rf = math.prod(shape[2:])
    return shape[-1] * rf, shape[0] * rf


ALTERNATIVES: list[tuple[str, str, Callable[[GroupSpec], Draw | None]]] = [
    # (check, alternative, law of each group's standardized values)
    ("linear.init[default]", "bound x0.95", every_group(uniform(0.95))),
    ("linear.init[default]", "bound x1.05", every_group(uniform(1.05))),
    ("linear.init[default]", "normal, the uniform's mean and variance", every_group(normal(1 / math.sqrt(3)))),
    ("linear.init[default]", "Laplace, the uniform's mean and variance", every_group(laplace_var(1 / 3))),
    ("linear.init[default]", "same support, mean and variance (arcsine/Beta mix)",
     every_group(same_support_uniform_moments())),
    ("linear.init[default]", "bound from out_features", ratio(lambda g: math.sqrt(g.case[0] / g.case[1]))),
    ("linear.init[default]", "bias bound 1/in (weight right)",
     ratio(lambda g: 1 / math.sqrt(g.case[0]) if g.part == "bias" else 1.0)),
    ("mylinear.init[default]", "std x0.95", every_group(normal(0.95))),
    ("mylinear.init[default]", "std x1.05", every_group(normal(1.05))),
    ("mylinear.init[default]", "uniform, mean 0 variance 1", every_group(uniform(math.sqrt(3)))),
    ("mylinear.init[default]", "Laplace, mean 0 variance 1", every_group(laplace_var(1.0))),
    ("mylinear.init[default]", "weight std 1/sqrt(in_units)",
     ratio(lambda g: 1 / math.sqrt(g.case[0]) if g.part == "weight" else 1.0, "normal")),
    ("fixedhiddenmlp.init[rand_weight]", "U[0, 0.95) (bound x0.95)", every_group(uniform(0.9, lo=-1.0))),
    ("fixedhiddenmlp.init[rand_weight]", "U[0, 1.05) (bound x1.05)", every_group(uniform(1.1, lo=-1.0))),
    ("fixedhiddenmlp.init[rand_weight]", "same support, mean and variance (arcsine/Beta mix)",
     every_group(same_support_uniform_moments())),
    ("init.function[normal_]", "std x0.95", every_group(normal(0.95))),
    ("init.function[normal_]", "std x1.05", every_group(normal(1.05))),
    ("init.function[normal_]", "uniform, same mean and variance", every_group(uniform(math.sqrt(3)))),
    ("init.function[normal_]", "Laplace, same mean and variance", every_group(laplace_var(1.0))),
    ("init.function[normal_]", "std read as a variance", ratio(lambda g: math.sqrt(g.case[4]) / g.case[4], "normal")),
    ("init.function[uniform_]", "bound x0.95", every_group(uniform(0.95))),
    ("init.function[uniform_]", "bound x1.05", every_group(uniform(1.05))),
    ("init.function[uniform_]", "normal, same mean and variance", every_group(normal(1 / math.sqrt(3)))),
    ("init.function[uniform_]", "same support, mean and variance (arcsine/Beta mix)",
     every_group(same_support_uniform_moments())),
    ("init.function[xavier_uniform_]", "bound x0.95", every_group(uniform(0.95))),
    ("init.function[xavier_uniform_]", "bound x1.05", every_group(uniform(1.05))),
    ("init.function[xavier_uniform_]", "normal, same mean and variance", every_group(normal(1 / math.sqrt(3)))),
    ("init.function[xavier_uniform_]", "same support, mean and variance (arcsine/Beta mix)",
     every_group(same_support_uniform_moments())),
    ("init.function[xavier_uniform_]", "fan_in + fan_in", ratio(xavier_ratio(lambda s: (D.fans(s)[0], D.fans(s)[0])))),
    ("init.function[xavier_uniform_]", "fan_out + fan_out",
     ratio(xavier_ratio(lambda s: (D.fans(s)[1], D.fans(s)[1])))),
    ("init.function[xavier_uniform_]", "no receptive field", ratio(xavier_ratio(lambda s: (s[1], s[0])))),
    ("init.function[xavier_uniform_]", "fan_in from size(-1)", ratio(xavier_ratio(last_dim_fans))),
    ("init.function[xavier_uniform_]", "gain ignored", ratio(xavier_ratio(D.fans, lambda g: 1.0))),
    ("sequential.init[init_normal]", "std x0.95", every_group(normal(0.95))),
    ("sequential.init[init_normal]", "std x1.05", every_group(normal(1.05))),
    ("sequential.init[init_normal]", "uniform, same mean and variance", every_group(uniform(math.sqrt(3)))),
    ("sequential.init[init_normal]", "Laplace, same mean and variance", every_group(laplace_var(1.0))),
    ("sequential.init[xavier_42]", "bound x0.95", every_group(uniform(0.95))),
    ("sequential.init[xavier_42]", "fan_in + fan_in",
     ratio(lambda g: math.sqrt((g.case[0] + g.case[1]) / (2 * g.case[0])))),
    ("sequential.init[my_init]", "uniform bound x0.95 (U(-9.5, 9.5))", every_group(my_init_law(9.5))),
    ("sequential.init[my_init]", "uniform bound x1.05 (U(-10.5, 10.5))", every_group(my_init_law(10.5))),
    ("sequential.init[my_init]", "threshold 4.75 (5% off)", every_group(my_init_law(threshold=4.75))),
    ("sequential.init[my_init]", "threshold 5.25 (5% off)", every_group(my_init_law(threshold=5.25))),
]


def miss_upper_bound(misses: int, runs: int) -> float:
    """One-sided 95% upper confidence bound on the miss rate (Clopper-Pearson; 1 - 0.05^(1/R) at 0)."""
    if misses >= runs:
        return 1.0
    return float(stats.beta.ppf(0.95, misses + 1, runs - misses))


def power(groups: dict[str, list[GroupSpec]], runs: int, seed: int) -> list[tuple]:
    rows = []
    for check_id, name, law_of in ALTERNATIVES:
        affected = [(g, law_of(g)) for g in groups[check_id]]
        affected = sorted([(g, law) for g, law in affected if law is not None], key=lambda x: x[0].n)
        alpha, dist = check_alpha(check_id), check_dist(check_id)
        rng = np.random.default_rng([seed, len(rows)])
        start, misses = time.perf_counter(), 0
        for _ in range(runs):
            if not any(assess(law(rng, g.n), dist, alpha, 0.0) is not None for g, law in affected):
                misses += 1
        rows.append((check_id, name, len(affected), sum(g.n for g, _ in affected), runs, misses,
                     1 - misses / runs, miss_upper_bound(misses, runs), time.perf_counter() - start))
    return rows


def null_law(check_id: str) -> Draw:
    dist = check_dist(check_id)
    return lambda rng, n: dist.rvs(n, rng)


def fp_simulation(groups: dict[str, list[GroupSpec]], runs: int, seed: int, drawn_n: int = 500) -> list[tuple]:
    """Every group of every statistical check (plus a drawn group of ``drawn_n`` values) under its
    reference law: check-level rejections at the real threshold, group-level at 0.05 and 0.01."""
    rows = []
    for k, (check_id, specs) in enumerate(groups.items()):
        alpha, dist, law = check_alpha(check_id), check_dist(check_id), null_law(check_id)
        sizes = [g.n for g in specs] + [drawn_n]
        rng = np.random.default_rng([seed, 1000 + k])
        real = at05 = at01 = 0
        for _ in range(runs):
            rejected = False
            for n in sizes:
                x = law(rng, n)
                rejected |= assess(x, dist, alpha) is not None
                at05 += assess(x, dist, 0.05) is not None
                at01 += assess(x, dist, 0.01) is not None
            real += rejected
        total = runs * len(sizes)
        rows.append((check_id, len(sizes), runs, real, at05 / total, at01 / total))
    return rows


# -- real targets under many seeds -------------------------------------------------------------------
def init_area_ids() -> list[str]:
    import conformance

    return [c.id for c in conformance.all_checks() if c.area == "init"]


def run_seed(job: tuple[str, int, int]) -> tuple[str, int, list[str], float]:
    import warnings

    from hypothesis import settings

    import conformance

    target, seed, examples = job
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = conformance.run(target, checks=init_area_ids(), seed=seed,
                                 settings=settings(max_examples=examples, derandomize=False, database=None,
                                                   deadline=None), quiet=True)
    failed = [f"{r.id}: {r.message.splitlines()[0] if r.message else ''}" for r in report.failed()]
    return target, seed, failed, time.perf_counter() - start


def seeds_part(targets: list[str], n_seeds: int, examples: int, jobs: int) -> dict[str, tuple[int, list, float]]:
    work = [(t, s, examples) for t in targets for s in range(n_seeds)]
    out: dict[str, tuple[int, list, float]] = {t: (0, [], 0.0) for t in targets}
    if jobs > 1:
        import multiprocessing

        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(run_seed, work))
    else:
        results = [run_seed(job) for job in work]
    for target, seed, failed, seconds in results:
        runs, failures, total = out[target]
        out[target] = (runs + 1, failures + [(seed, f) for f in failed], total + seconds)
    return out


# -- main ------------------------------------------------------------------------------------------
def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3000, help="simulated runs per alternative (power)")
    parser.add_argument("--fp-runs", type=int, default=500, help="simulated runs of every check under the null")
    parser.add_argument("--seeds", type=int, default=5, help="Hypothesis seeds for the real-target runs")
    parser.add_argument("--examples", type=int, default=20, help="examples per check in the real-target runs")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="worker processes for the real-target runs")
    parser.add_argument("--only", choices=["power", "fp", "seeds"], action="append",
                        help="run only these parts (repeatable)")
    parser.add_argument("--seed", type=int, default=20240501, help="NumPy seed of the simulations")
    args = parser.parse_args(argv)
    parts = set(args.only or ["power", "fp", "seeds"])

    from conformance.checks.init import STATISTICAL

    n_stat = len(STATISTICAL)
    print(f"budget: alpha_run {ALPHA_RUN:g} >= {n_stat} statistical checks x alpha_check {ALPHA_CHECK:g} "
          f"= {n_stat * ALPHA_CHECK:g} (Bonferroni)\n")
    groups = design_groups() if parts & {"power", "fp"} else {}

    if "power" in parts:
        print(f"## Power ({args.runs} simulated runs per alternative; affected design groups only)\n")
        print("| check | alternative | groups | values | runs | misses | power | 95% upper bound on miss rate |")
        print("|---|---|---|---|---|---|---|---|")
        for check_id, name, ng, nv, runs, misses, p, ub, _ in power(groups, args.runs, args.seed):
            print(f"| `{check_id}` | {name} | {ng} | {nv} | {runs} | {misses} | {p:.4f} | {ub:.2g} |", flush=True)
        print()

    if "fp" in parts:
        print(f"## False positives, simulated ({args.fp_runs} runs of every check's groups under the reference law)\n")
        print("| check | groups | runs | runs rejected at the real threshold | group rejection rate at alpha 0.05 "
              "| at alpha 0.01 |")
        print("|---|---|---|---|---|---|")
        total = 0
        for check_id, ng, runs, real, r05, r01 in fp_simulation(groups, args.fp_runs, args.seed):
            total += real
            print(f"| `{check_id}` | {ng} | {runs} | {real} | {r05:.4f} | {r01:.4f} |", flush=True)
        print(f"\nwhole-area simulated runs with a rejection: {total} of {args.fp_runs}\n")

    if "seeds" in parts and args.seeds:
        targets = ["torch", str(ROOT / "tests" / "correct" / "init_blocks.py")]
        print(f"## The init area on real targets ({args.seeds} Hypothesis seeds, {args.examples} examples per check, "
              f"{len(init_area_ids())} checks)\n")
        print("| target | runs | failed runs | seconds per run |")
        print("|---|---|---|---|")
        for target, (runs, failures, seconds) in seeds_part(targets, args.seeds, args.examples, args.jobs).items():
            name = target if target == "torch" else Path(target).relative_to(ROOT).as_posix()
            print(f"| `{name}` | {runs} | {len({s for s, _ in failures})} | {seconds / max(runs, 1):.1f} |")
            for seed, failure in failures:
                print(f"    seed {seed}: {failure}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""How fast the suite checks the default target, and how soon it reports a real defect.

    python benchmarks/suite_speed.py                      # ci and dev; serial, -n 2, -n auto; 3 repeats
    python benchmarks/suite_speed.py --profiles ci dev thorough --repeat 5
    python benchmarks/suite_speed.py --skip-mutants       # without the time-to-first-failure part

Prints, for the current machine:
1. start-up: importing torch and the plugin, and pytest's collection, apart from checking;
2. wall and CPU time of ``pytest conformance`` per profile, serial and under pytest-xdist, with the
   speed-up over serial (medians over ``--repeat`` runs: the machine may be shared and noisy);
3. Hypothesis examples executed per second per core, per property area, and the ten slowest
   checks (from a serial run's ``--report`` JSON, which records each check's example count);
4. the share of large examples (``conformance.checks.common.is_large``: hundreds of rows, wide
   layers, long chains; the tutorial's MLP apart) among those drawn, and their share of the
   checking time (in-process, serial, every check once; ``--large-only`` for this part alone);
5. the time from the start of checking until the first failure of each mutant in
   ``tests/mutants`` (checks of the blocks it defines, in registry order, as a run would), median
   and worst, so a speed change that makes the suite blind shows here.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from pathlib import Path

ROOT = Path(os.environ.get("BENCH_ROOT") or Path(__file__).resolve().parents[1])
BUDGET = {"ci": 20.0, "dev": 60.0}  # seconds, -n 2 (issue 7)


def pytest_cmd(profile: str, workers: str | None, *extra: str) -> tuple[list[str], dict[str, str]]:
    """The command and environment of a run under ``profile``, chosen as a user would: ``ci`` by
    the ``CI`` variable (what CI does), ``dev`` by default, others by ``--hypothesis-profile``."""
    args = [sys.executable, "-m", "pytest", "conformance", "-q", "-p", "no:cacheprovider", *extra]
    if profile not in ("ci", "dev"):
        args += ["--hypothesis-profile", profile]
    env = {**os.environ, "CI": "1" if profile == "ci" else ""}
    return args + (["-n", workers] if workers else ["-p", "no:xdist"]), env


def timed(cmd: tuple[list[str], dict[str, str]] | list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall and CPU seconds (user + system, the process and its children) of a command."""
    args, env = cmd if isinstance(cmd, tuple) else (cmd, {**os.environ, "CI": ""})
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode not in (0, 5):
        head = "\n".join(result.stdout.splitlines()[:8])  # the header: target, profile, the seed to replay
        print(head, "\n...\n", result.stdout[-3000:], result.stderr[-2000:], file=sys.stderr)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), result


def start_up(repeat: int) -> None:
    def median(cmd: list[str]) -> float:
        return statistics.median(timed(cmd)[0] for _ in range(repeat))

    plugin = median([sys.executable, "-c", "import conformance.frontends.plugin"])
    torch = median([sys.executable, "-c", "import torch"])
    collect = median([sys.executable, "-m", "pytest", "conformance", "--collect-only", "-q", "-p", "no:cacheprovider"])
    print(f"start-up (medians of {repeat}): python + import conformance.frontends.plugin {plugin:.2f} s "
          "(what every pytest "
          f"run and the xdist controller pay); python + import torch {torch:.2f} s; pytest start-up, "
          f"target import and collection {collect:.2f} s (what each worker pays)")


def wall_times(profiles: list[str], layouts: list[str], repeat: int) -> None:
    print(f"\n{'profile':<9} {'workers':<8} {'wall s':>7} {'cpu s':>7} {'speed-up':>9} {'budget':>8}"
          f"   (medians of {repeat})")
    for profile in profiles:
        serial = None
        for workers in layouts:
            runs = [timed(pytest_cmd(profile, workers or None)) for _ in range(repeat)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            if not workers:
                serial = wall
            speedup = f"x{serial / wall:.2f}" if workers and serial else ""
            budget = f"<= {BUDGET[profile]:g}" if workers == "2" and profile in BUDGET else ""
            ok = "" if not budget else ("  ok" if wall <= BUDGET[profile] else "  OVER")
            print(f"{profile:<9} {workers or '1':<8} {wall:>7.1f} {cpu:>7.1f} {speedup:>9} {budget:>8}{ok}", flush=True)


def examples_per_second(profile: str) -> None:
    sys.path.insert(0, str(ROOT))
    from conformance.core.registry import all_checks

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        wall, cpu, _ = timed(pytest_cmd(profile, None, "--report", str(out)))
        results = json.loads(out.read_text())["results"]
    everything = sum(r["examples"] for r in results)
    print(f"\nexamples per second per core, profile {profile}, serial: {everything} examples in {wall:.1f} s "
          f"wall ({cpu:.1f} s CPU), start-up included = {everything / cpu:.0f} examples per CPU second")
    areas = {c.id: c.area for c in all_checks()}
    by_area: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for r in results:
        if r["status"] == "passed":
            by_area[areas.get(r["id"], "?")].append((r["examples"], r["duration"]))
    total_examples = sum(e for rows in by_area.values() for e, _ in rows)
    total_seconds = sum(d for rows in by_area.values() for _, d in rows)
    print(f"\nexamples per second per core, profile {profile}, serial (one core): "
          f"{total_examples} examples in {total_seconds:.1f} s of checking ({wall:.1f} s wall) "
          f"= {total_examples / total_seconds:.0f} examples/s")
    print(f"{'area':<10} {'checks':>6} {'examples':>9} {'seconds':>8} {'examples/s':>11}")
    for area, rows in sorted(by_area.items()):
        n, s = sum(e for e, _ in rows), sum(d for _, d in rows)
        print(f"{area:<10} {len(rows):>6} {n:>9} {s:>8.2f} {n / s:>11.0f}")
    print("ten slowest checks:")
    for r in sorted(results, key=lambda r: -r["duration"])[:10]:
        print(f"  {r['duration']:6.2f} s  {r['examples']:>5} examples  {r['id']}")


def large_examples(profile: str) -> None:
    """Every check once, in-process and serial, timing each example from its draw to the next draw
    (Hypothesis's own time between examples included), split by ``is_large``; the tutorial's MLP
    (hidden width 256, half of the MLP draws since before large sizes were drawn) is counted apart."""
    sys.path.insert(0, str(ROOT))
    import conformance
    from conformance.checks import common, forward, gradient, oracle, persistence, semantics, structure, tying
    from conformance.drawing import profiles
    from conformance.drawing.blocks import TUTORIAL_MLP

    profiles.register()
    modules = (forward, gradient, oracle, persistence, semantics, structure, tying)
    original = common.draw_example
    samples: list[tuple[str, float]] = []
    current: list = []  # [kind, start] of the example in progress

    def close() -> None:
        if current:
            samples.append((current[0], time.perf_counter() - current[1]))
            current.clear()

    def timed_draw(*args, **kwargs):
        close()
        drawn = original(*args, **kwargs)
        x = drawn.example.x
        shape = x.shape if x is not None else ()
        kind = ("tutorial" if drawn.args == TUTORIAL_MLP and not common.is_large({}, shape)
                else "large" if common.is_large(drawn.args, shape) else "other")
        current.extend([kind, time.perf_counter()])
        return drawn

    for module in modules:
        module.draw_example = timed_draw  # type: ignore[attr-defined]
    try:
        for check in conformance.all_checks():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                conformance.run("torch", checks=[check.id], profile=profile, quiet=True, isolate=False)  # counted here
            close()
    finally:
        for module in modules:
            module.draw_example = original  # type: ignore[attr-defined]
    total_n, total_s = len(samples), sum(t for _, t in samples)
    parts = []
    for kind in ("large", "tutorial", "other"):
        times = [t for k, t in samples if k == kind]
        share, cost = 100 * len(times) / max(total_n, 1), 100 * sum(times) / max(total_s, 1e-9)
        parts.append(f"{kind}: {len(times)} ({share:.1f}%), {sum(times):.2f} s ({cost:.1f}%), "
                     f"{1000 * sum(times) / max(len(times), 1):.1f} ms each")
    print(f"\nexamples by size, profile {profile} (in-process, serial, every check once; {total_n} drawn, "
          f"{total_s:.2f} s): " + "; ".join(parts))


def time_to_first_failure(profile: str, limit: int | None) -> None:
    """In-process (start-up excluded): every check of the blocks a mutant defines, in registry order,
    until the first failure."""
    sys.path.insert(0, str(ROOT))
    import conformance
    from conformance.drawing import profiles
    from conformance.loading.target import load_target
    from tests.test_mutants import MUTANTS, applicable_checks

    profiles.register()
    conformance.run("torch", checks=["relu.forward[float32]"], max_examples=2, quiet=True)  # warm-up
    times: list[tuple[float, str, str]] = []
    blind = []
    for path in MUTANTS[:limit]:
        target = load_target(str(path))
        timeout = target.namespace.get("CALL_TIMEOUT", 10.0)
        start = time.perf_counter()
        caught = None
        own = applicable_checks(target, own_only=True)
        # the blocks it writes first; then those it re-exports (a save/load mutant shows on Linear's state dict)
        for check_id in own + [c for c in applicable_checks(target) if c not in own]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                report = conformance.run(target, checks=[check_id], profile=profile, call_timeout=timeout,
                                         quiet=True)
            if report.failed():
                caught = check_id
                break
        elapsed = time.perf_counter() - start
        if caught is None:
            blind.append(path.stem)
        else:
            times.append((elapsed, path.stem, caught))
    times.sort()
    secs = [t for t, _, _ in times]
    print(f"\ntime to first failure, profile {profile}, {len(times)} mutants caught in-process "
          f"(start-up excluded): median {statistics.median(secs):.2f} s, 90th percentile "
          f"{secs[int(0.9 * (len(secs) - 1))]:.2f} s, worst {secs[-1]:.2f} s ({times[-1][1]} by {times[-1][2]})")
    print("slowest five: " + "; ".join(f"{n} {t:.1f} s ({c})" for t, n, c in times[-5:]))
    if blind:
        print(f"NOT caught by a plain run of their blocks' checks: {', '.join(blind)}")


def isolation_cost(repeat: int) -> None:
    """What running the checks apart from the caller costs: ``pytest conformance`` in one xdist worker
    (the default without ``-n``) against ``--in-process``, and ``conformance.run`` isolated (the
    default for a target given by name) against ``isolate=False``; medians over ``repeat`` runs."""
    import conformance

    select = ["-k", "relu.structure"]
    for label, extra in (("pytest, one worker (default)", []), ("pytest --in-process", ["--in-process"])):
        args = [sys.executable, "-m", "pytest", "conformance", "-q", "-p", "no:cacheprovider", *select, *extra]
        runs = [timed((args, {**os.environ, "CI": "1"})) for _ in range(repeat)]
        print(f"isolation: {label:<32} wall {statistics.median(r[0] for r in runs):5.2f} s (-k relu.structure)")
    for isolate in (True, False):
        walls = []
        for _ in range(repeat):
            start = time.perf_counter()
            conformance.run("torch", checks=["linear.*"], profile="ci", isolate=isolate, quiet=True)
            walls.append(time.perf_counter() - start)
        label = f"conformance.run(isolate={isolate})"
        print(f"isolation: {label:<32} wall {statistics.median(walls):5.2f} s (checks=['linear.*'], profile ci)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", nargs="+", default=["ci", "dev"])
    parser.add_argument("--workers", nargs="+", default=["", "2", "auto"], help='"" for serial')
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-mutants", action="store_true")
    parser.add_argument("--large-only", action="store_true", help="only the large-example share and cost (4.)")
    parser.add_argument("--mutants", type=int, default=None, help="only the first N mutants")
    parser.add_argument("--isolation-only", action="store_true", help="only the cost of isolation (6.)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M')}")
    if args.large_only:
        for profile in args.profiles:
            large_examples(profile)
        return
    if args.isolation_only:
        isolation_cost(args.repeat)
        return
    start_up(args.repeat)
    wall_times(args.profiles, args.workers, args.repeat)
    examples_per_second("dev" if "dev" in args.profiles else args.profiles[0])
    for profile in args.profiles:
        large_examples(profile)
    isolation_cost(args.repeat)
    if not args.skip_mutants:
        time_to_first_failure("dev", args.mutants)


if __name__ == "__main__":
    main()

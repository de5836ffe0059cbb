"""Wall and CPU time of the conformance suite on the default target, per profile, serial and with
pytest-xdist; and examples per second per property area through the Python API.

    python benchmarks/suite_speed.py                 # profiles ci and dev, serial and -n 2, 1 repeat
    python benchmarks/suite_speed.py --repeat 3 --profiles ci dev thorough

The machine may be shared and noisy: repeat and quote medians.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed_pytest(profile: str, workers: str | None) -> tuple[float, float]:
    args = [sys.executable, "-m", "pytest", "conformance", "-q", "--hypothesis-profile", profile]
    if workers:
        args += ["-n", workers]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "CI": ""})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        print(result.stdout[-2000:], file=sys.stderr)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def examples_per_second(profile: str) -> None:
    sys.path.insert(0, str(ROOT))
    import conformance
    from conformance import profiles

    profiles.register()
    start = time.perf_counter()
    report = conformance.run("torch", profile=profile)
    total = time.perf_counter() - start
    n = report.metadata["max_examples"]
    by_area: dict[str, list[float]] = defaultdict(list)
    checks = {c.id: c for c in conformance.all_checks()}
    for r in report.results:
        by_area[checks[r.id].area].append(r.duration)
    print(f"\nAPI run, profile {profile} ({n} examples per check, serial): {total:.1f} s for {len(report.results)} checks")
    print(f"{'area':<10} {'checks':>6} {'seconds':>8} {'examples/s':>11}")
    for area, durations in sorted(by_area.items()):
        print(f"{area:<10} {len(durations):>6} {sum(durations):>8.1f} {n * len(durations) / sum(durations):>11.0f}")
    print("slowest checks:")
    for r in sorted(report.results, key=lambda r: -r.duration)[:10]:
        print(f"  {r.duration:6.2f} s  {r.id}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", nargs="+", default=["ci", "dev"])
    parser.add_argument("--workers", nargs="+", default=["", "2"], help='"" for serial')
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import torch, conformance.plugin"], cwd=ROOT, check=True)
    print(f"start-up (import torch + the plugin): {time.perf_counter() - start:.1f} s")
    print(f"{'profile':<9} {'workers':<8} {'wall s (median)':>16} {'cpu s':>8}")
    for profile in args.profiles:
        serial = None
        for workers in args.workers:
            runs = [timed_pytest(profile, workers or None) for _ in range(args.repeat)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            serial = wall if not workers else serial
            speedup = f"  x{serial / wall:.2f}" if workers and serial else ""
            print(f"{profile:<9} {workers or '1':<8} {wall:>16.1f} {cpu:>8.1f}{speedup}", flush=True)
    examples_per_second(args.profiles[0])


if __name__ == "__main__":
    main()

"""What the lifecycle checks (``checks/lifecycle.py``) cost on the default target, per profile.

    python benchmarks/lifecycle_speed.py                 # ci and dev, 3 repeats
    python benchmarks/lifecycle_speed.py --profiles ci dev thorough --repeat 1

Prints, per profile, the wall time of every ``*.lifecycle*`` check run in-process and serially (the
median over ``--repeat`` runs), the slowest checks, and the lives and operations one check runs.
The whole suite's budget (``ci``: 20 s with ``-n 2``) is measured by ``benchmarks/suite_speed.py``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str]) -> int:
    import conformance
    from conformance.drawing.profiles import PROFILES, register

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profiles", nargs="+", default=["ci", "dev"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    register()
    conformance.run("torch", checks=["linear.lifecycle[float32]"], isolate=False, profile="ci", quiet=True)  # warm up
    for profile in args.profiles:
        table = PROFILES[profile]
        lives = max(2, table["max_examples"] // 4)
        walls, report = [], None
        for _ in range(args.repeat):
            start = time.perf_counter()
            report = conformance.run("torch", checks=["*.lifecycle*"], isolate=False, profile=profile, quiet=True)
            walls.append(time.perf_counter() - start)
        assert report is not None
        slowest = sorted(report.results, key=lambda r: -(r.duration or 0))[:5]
        print(f"{profile}: {len(report.results)} checks, {lives} lives x {table['stateful_step_count']} operations "
              f"each: {statistics.median(walls):.2f} s serial (median of {args.repeat}; {report.summary()})")
        print("  slowest: " + ", ".join(f"{r.id} {r.duration:.2f} s" for r in slowest))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

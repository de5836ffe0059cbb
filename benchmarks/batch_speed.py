"""Batch runs and shards, measured (issue 17).

    python benchmarks/batch_speed.py                 # N = 1, 5, 20 targets: one batch run against N single runs
    python benchmarks/batch_speed.py --shards 4      # shard balance: each of 4 shards' wall time, max/mean
    python benchmarks/batch_speed.py --costs r.json  # rewrite conformance/frontends/costs.json from a report

The targets are the mutant corpus (``tests/mutants/*.py``, in name order, the first N): a zoo of
variants, each providing the blocks it varies, as a team's fused kernels or a course's exercises do.
Every run uses the CLI as a user would (``python -m conformance``), the ``ci`` profile (``CI=1``) and
``-n`` workers (default 2). Prints wall seconds, and per target: batch wall / N against the median
single run. The issue's bar: at N = 20, the batch's cost per target is at most half a single run's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "mutants").glob("*.py"))


def cli(*args: str) -> float:
    """Wall seconds of ``python -m conformance ARGS`` (status 0 or 1: a verdict, not an error)."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "CI": "1", "PYTHONPATH": path}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "conformance", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    wall = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"python -m conformance {' '.join(args)} exited {done.returncode}:\n{done.stdout[-2000:]}"
                         f"{done.stderr[-2000:]}")
    return wall


def batch_against_single(sizes: list[int], workers: str, singles: int) -> None:
    print(f"| N | batch wall | per target | single run (median of {singles}) | per target / single |")
    print("|---|---|---|---|---|")
    single = statistics.median(cli("--impl", MUTANTS[i], "-n", workers) for i in range(singles))
    for n in sizes:
        targets = [a for path in MUTANTS[:n] for a in ("--impl", path)]
        wall = cli(*targets, "-n", workers)
        print(f"| {n} | {wall:.1f} s | {wall / n:.2f} s | {single:.2f} s | {wall / n / single:.2f} |", flush=True)


def shard_balance(count: int, n_targets: int, workers: str) -> None:
    targets = [a for path in MUTANTS[:n_targets] for a in ("--impl", path)]
    walls = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(1, count + 1):
            walls.append(cli(*targets, "-n", workers, "--shard", f"{k}/{count}", "--report", f"{tmp}/s{k}.json"))
        merged = subprocess.run([sys.executable, "-m", "conformance", "merge",
                                 *[f"{tmp}/s{k}.json" for k in range(1, count + 1)]], cwd=ROOT, capture_output=True,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
    mean = statistics.mean(walls)
    print(f"{count} shards of {n_targets} targets: " + ", ".join(f"{w:.1f} s" for w in walls)
          + f"; max/mean {max(walls) / mean:.2f} (merge exit status {merged.returncode})")


def write_costs(report_path: str) -> None:
    """conformance/frontends/costs.json: each check's duration in a ``--report`` of a run on a target
    that provides every block (e.g. the built-in torch target)."""
    data = json.loads(Path(report_path).read_text())
    seconds = {r["id"]: round(r["duration"], 3) for r in data["results"] if r["status"] != "not provided"}
    meta = data["metadata"]
    out = {"measured": f"{meta.get('target')} target, profile {meta.get('profile')}, "
                       f"{len(seconds)} checks (benchmarks/batch_speed.py --costs)", "seconds": seconds}
    from conformance.frontends.shards import COSTS

    COSTS.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(seconds)} costs, total {sum(seconds.values()):.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1, 5, 20])
    parser.add_argument("-n", default="2", help="pytest-xdist workers of every run (default 2)")
    parser.add_argument("--singles", type=int, default=3, help="single runs whose median is the reference")
    parser.add_argument("--shards", type=int, default=0, help="measure shard balance with this many shards")
    parser.add_argument("--shard-targets", type=int, default=20)
    parser.add_argument("--costs", metavar="REPORT.json",
                        help="rewrite conformance/frontends/costs.json from this report")
    args = parser.parse_args()
    if args.costs:
        write_costs(args.costs)
    elif args.shards:
        shard_balance(args.shards, args.shard_targets, args.n)
    else:
        batch_against_single(args.sizes, args.n, args.singles)


if __name__ == "__main__":
    main()

"""False-alarm rate: every correct implementation in ``tests/correct/`` (and the default target,
torch.nn) checked under several Hypothesis seeds; a correct block must pass every check, every seed.

    python benchmarks/correct_seeds.py                       # 20 seeds, profile dev, 2 processes
    python benchmarks/correct_seeds.py --seeds 20 --examples 20 --jobs 2   # dev, 20 examples per check
    python benchmarks/correct_seeds.py --spec examples/layernorm/layernorm_spec.py \
        examples/layernorm/torch_layernorm.py examples/layernorm/scratch_layernorm.py   # a declared block

Each (file, seed) runs in its own process (the checks the file's own blocks select, as
``tests/test_mutants.py`` chooses them). Prints one line per run and the totals: checks passed,
failed (false alarms), not checked; exit status 1 if any check failed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORRECT = sorted((ROOT / "tests" / "correct").glob("*.py"))

CHILD = """
import json, sys, warnings
sys.path.insert(0, {root!r}); sys.path.insert(0, {tests!r})
warnings.simplefilter("ignore")
import conformance
from test_mutants import applicable_checks, target_of
from pathlib import Path
from conformance.database.store import load_spec_files
load_spec_files({specs!r})
path = Path({path!r})
target = target_of(path) if path.suffix == ".py" else None
ids = applicable_checks(target, own_only=not {specs!r}) if target is not None else None
if {select!r}:
    from fnmatch import fnmatchcase
    from conformance.core.registry import all_checks
    ids = [i for i in (ids if ids is not None else [c.id for c in all_checks()])
           if any(fnmatchcase(i, p) for p in {select!r})]
    if not ids:  # none of this file's checks is selected: nothing to run, not a failure
        print("[]")
        sys.exit(0)
report = conformance.run(str(path) if target is not None else "torch", checks=ids, profile={profile!r},
                         max_examples={examples}, seed={seed}, quiet=True, isolate=False)
print(json.dumps([(r.id, r.status, (r.reason or r.message).splitlines()[0] if (r.reason or r.message) else "")
                  for r in report.results]))
"""


def run_one(path: Path, seed: int, profile: str, examples: int | None,
            specs: list[str], select: list[str]) -> tuple[str, int, list, float]:
    code = CHILD.format(root=str(ROOT), tests=str(ROOT / "tests"), path=str(path), profile=profile, seed=seed,
                        examples=examples, specs=specs, select=select)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    wall = time.perf_counter() - start
    try:
        results = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        results = [("(run)", "failed", done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no output")]
    return path.stem, seed, results, wall


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--profile", default="dev")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--examples", type=int, default=None, help="examples per check (default: the profile's)")
    parser.add_argument("--spec", action="append", default=[], help="a file declaring the files' block")
    parser.add_argument("--select", action="append", default=[],
                        help="only the check ids matching this pattern (fnmatch, e.g. '*[float16]'; repeatable)")
    parser.add_argument("files", nargs="*", help="correct files (default: every tests/correct/*.py, and torch)")
    args = parser.parse_args(argv)
    paths = [Path(f).resolve() for f in args.files] or [*CORRECT, Path("torch")]
    totals = {"passed": 0, "failed": 0, "not checked": 0, "not provided": 0, "other": 0}
    start = time.perf_counter()
    with ThreadPoolExecutor(args.jobs) as pool:
        specs = [str(Path(f).resolve()) for f in args.spec]
        runs = [pool.submit(run_one, p, s, args.profile, args.examples, specs, args.select) for p in paths
                for s in range(args.seeds)]
        for future in runs:
            name, seed, results, wall = future.result()
            for check_id, status, reason in results:
                key = status if status in totals else "other"
                totals[key] += 1
                if status in ("failed", "not checked"):
                    print(f"  {name} seed {seed}: {check_id} {status}: {reason[:150]}")
            print(f"{name} seed {seed}: {len(results)} checks in {wall:.1f} s", flush=True)
    examples = f", {args.examples} examples per check" if args.examples else ""
    print(f"{len(runs)} runs ({args.seeds} seeds, profile {args.profile}{examples}) in "
          f"{time.perf_counter() - start:.0f} s: "
          + ", ".join(f"{n} {k}" for k, n in totals.items()))
    return 1 if totals["failed"] or totals["other"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

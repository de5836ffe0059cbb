"""The mutant corpus: every deliberately wrong implementation in ``tests/mutants`` must be caught by
one of the checks it names, and every independent correct one in ``tests/correct`` must pass.

Each file under ``tests/mutants`` (and ``tests/correct``) is a target usable as ``--impl``: it defines
only the contract names it needs, has a docstring whose first sentence states its defect, and a
module-level ``CATCHES``: the check ids (exact, or patterns with ``*``) meant to catch it (``[]`` for a
correct one). Optional: ``CALL_TIMEOUT`` (seconds per call into the target, for a mutant that hangs)
and ``KNOWN_GAP`` (why no check catches it yet: its test is then an xfail that turns into a failure,
asking to drop the marker, once a check does catch it).

The meta-test runs the checks a mutant's CATCHES select one at a time, in the order CATCHES lists
them, and stops at the first that fails: a failing check stops at its first counterexample, while a
passing one runs all its examples, so running every check of a block for each of the ~100 mutants
would take many minutes. List the check that catches a mutant most directly first.

``python tests/test_mutants.py [-j N] [--catches-only] [NAME ...]`` prints the mutant table
(mutant | defect | failing checks) as Markdown, running every check of the blocks each mutant defines.
"""

from __future__ import annotations

import functools
import os
import sys
import warnings
from pathlib import Path

import pytest
from hypothesis import Phase, settings

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # ``python tests/test_mutants.py`` from anywhere
    sys.path.insert(0, str(HERE.parent))

import conformance  # noqa: E402
from conformance.drawing.profiles import PROFILES  # noqa: E402
from conformance.frontends.runner import matches  # noqa: E402
from conformance.loading.target import load_target  # noqa: E402

MUTANTS = sorted((HERE / "mutants").glob("*.py"))
CORRECT = sorted((HERE / "correct").glob("*.py"))

#: The blocks whose every check some mutant must target (the blocks this corpus was first written for).
CORE_BLOCKS = ("linear", "relu", "sequential", "mysequential")

#: Mutants: we only need "caught", so no shrinking; derandomized so every run is the same run.
#: Every setting is fixed here, not inherited from the profile the environment picks (``CI`` selects
#: ``ci``, whose 10 operations per life are too few for some lifecycle mutants): the same run anywhere.
STEPS = 30
FAST = settings(max_examples=200, derandomize=True, database=None, deadline=None,
                phases=[Phase.explicit, Phase.generate], stateful_step_count=STEPS)
#: Correct implementations: judged as the ``ci`` profile judges a target (derandomized; the anchor
#: cases, 20 draws per check and 10 operations per life; every check of every block they define, ~300
#: checks in all): a correct implementation must pass a CI run. Their false-alarm rate over many seeds
#: is measured by ``benchmarks/correct_seeds.py``; MUTANT_SUITE_CORRECT_EXAMPLES raises the count (and
#: the lives' length to the mutants') for a nightly run.
_NIGHTLY = os.environ.get("MUTANT_SUITE_CORRECT_EXAMPLES")
THOROUGH = settings(max_examples=int(_NIGHTLY or PROFILES["ci"]["max_examples"]), derandomize=True, database=None,
                    deadline=None, stateful_step_count=STEPS if _NIGHTLY else PROFILES["ci"]["stateful_step_count"])
#: Blocks built from several contract names (rgnet, tied nets): ~10x slower per example.
COMPOSITE = settings(THOROUGH, max_examples=max(8, THOROUGH.max_examples // 3))
DEFAULT_CALL_TIMEOUT_S = 10.0


# -- helpers ----------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def target_of(path: Path):
    return load_target(str(path))


def catches_of(path: Path) -> list[str]:
    return list(target_of(path).namespace.get("CATCHES", []))


def defect(path: Path) -> str:
    """The docstring's first paragraph, on one line."""
    doc = target_of(path).namespace.get("__doc__") or ""
    return " ".join(doc.strip().split("\n\n")[0].split())


def applicable_checks(target, own_only: bool = False) -> list[str]:
    """Ids of the checks whose contract names the target defines. ``own_only``: skip blocks whose
    name the target merely re-exports from torch.nn (``Linear = nn.Linear`` in a Sequential mutant)."""
    import torch.nn

    def own(name: str) -> bool:
        return target.get(name) is not getattr(torch.nn, name, None)

    return [c.id for c in conformance.all_checks()
            if all(target.provides(n) for n in c.requires) and (not own_only or own(c.requires[0]))]


def run_checks(path: Path, check_ids: list[str], hypothesis_settings: settings):
    target = target_of(path)
    timeout = target.namespace.get("CALL_TIMEOUT", DEFAULT_CALL_TIMEOUT_S)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mutants that warn (e.g. swallowing errors) would flood the output
        return conformance.run(target, checks=check_ids, settings=hypothesis_settings, call_timeout=timeout)


def failing(report) -> list[str]:
    return [r.id for r in report.results if r.status == "failed"]


def named_by(patterns: list[str], check_id: str) -> bool:
    return any(matches(p, check_id) for p in patterns)


# -- the corpus is well formed ----------------------------------------------------------------------
@pytest.mark.parametrize("path", MUTANTS + CORRECT, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_corpus_file_is_well_formed(path: Path) -> None:
    target = target_of(path)
    assert defect(path), f"{path.name}: needs a docstring stating its defect (or what makes it correct)"
    catches = target.namespace.get("CATCHES")
    assert isinstance(catches, list), f"{path.name}: needs a module-level CATCHES list"
    ids = applicable_checks(target)
    assert ids, f"{path.name}: defines no block of the contract"
    if path.parent.name == "correct":
        assert catches == [], f"{path.name}: a correct implementation has CATCHES = []"
        return
    assert catches, f"{path.name}: CATCHES names no check"
    for pattern in catches:
        assert any(matches(pattern, i) for i in ids), \
            f"{path.name}: CATCHES entry {pattern!r} selects no check this mutant can run ({ids})"


def test_every_core_check_is_targeted_by_a_mutant() -> None:
    """Each check id of linear, relu, sequential and mysequential is named by some mutant's CATCHES."""
    named = {i for path in MUTANTS for i in applicable_checks(target_of(path)) if named_by(catches_of(path), i)}
    wanted = {c.id for c in conformance.all_checks() if c.block in CORE_BLOCKS}
    assert not wanted - named, f"no mutant is meant to be caught by {sorted(wanted - named)}"


# -- mutants are caught -----------------------------------------------------------------------------
def first_catch(path: Path, hypothesis_settings: settings = FAST) -> tuple[str | None, list[str]]:
    """Run the checks CATCHES selects one at a time, in the order CATCHES lists them, until one fails:
    (the failing check or None, the checks that passed before it)."""
    target = target_of(path)
    ids = applicable_checks(target)
    ordered = list(dict.fromkeys(i for pattern in catches_of(path) for i in ids if matches(pattern, i)))
    passed = []
    for check_id in ordered:
        report = run_checks(path, [check_id], hypothesis_settings)
        if failing(report):
            return check_id, passed
        passed.append(f"{check_id} ({report.results[0].status})")
    return None, passed


@pytest.mark.parametrize("path", MUTANTS, ids=lambda p: p.stem)
def test_mutant_is_caught(path: Path, record_property) -> None:
    caught, passed = first_catch(path)
    record_property("caught_by", caught or "")
    print(f"{path.stem}: caught by {caught}" + (f" (passed first: {passed})" if passed else ""))
    gap = target_of(path).namespace.get("KNOWN_GAP")
    if gap and not caught:
        pytest.xfail(f"known gap in the checks: {gap}")
    assert caught, f"mutant {path.stem} ({defect(path)}) was caught by none of {catches_of(path)}: {passed}"
    if gap:
        pytest.fail(f"{path.stem} is now caught by {caught}: drop its KNOWN_GAP")


# -- correct implementations pass -------------------------------------------------------------------
def assert_passes(report) -> None:
    bad = [r for r in report.results if r.status in ("failed", "xpass")]
    assert not bad, "\n\n".join(r.message or f"{r.id}: {r.status}" for r in bad)
    assert any(r.status == "passed" for r in report.results), "no check ran"


def correct_cases() -> list[tuple[Path, str]]:
    """(file, block) pairs: one test per block a correct file defines, so xdist spreads them."""
    cases = []
    for path in CORRECT:
        blocks = [i.split(".")[0] for i in applicable_checks(target_of(path), own_only=True)]
        cases += [(path, block) for block in dict.fromkeys(blocks)]
    return cases


@pytest.mark.parametrize("path, block", correct_cases(), ids=lambda v: v.stem if isinstance(v, Path) else v)
def test_correct_implementation_passes(path: Path, block: str) -> None:
    checks = [c for c in conformance.select_checks(applicable_checks(target_of(path), own_only=True))
              if c.block == block]
    composite = any(c.block in ("rgnet", "tiedsequential", "tiedmysequential") or c.property in ("init", "apply")
                    for c in checks)
    assert_passes(run_checks(path, [c.id for c in checks], COMPOSITE if composite else THOROUGH))


@pytest.mark.parametrize("block", CORE_BLOCKS)
def test_builtin_torch_target_passes(block: str) -> None:
    """The whole suite runs against ``torch`` in ``python -m pytest conformance``; here, the core blocks."""
    assert_passes(conformance.run("torch", checks=[f"{block}.*"], settings=THOROUGH, isolate=False))


# -- the table --------------------------------------------------------------------------------------
def table_row(path: Path, catches_only: bool) -> str:
    target = target_of(path)
    catches = catches_of(path)
    ids = ([i for i in applicable_checks(target) if named_by(catches, i)] if catches_only
           else applicable_checks(target, own_only=True) or applicable_checks(target))
    failed = failing(run_checks(path, ids, FAST))
    cells = [f"**{i}**" if named_by(catches, i) else i for i in failed]
    if not any(named_by(catches, i) for i in failed):
        cells.append("NOT CAUGHT" + (" (known gap)" if target.namespace.get("KNOWN_GAP") else ""))
    return f"| `{path.stem}` | {defect(path).replace('|', '/')} | {', '.join(cells)} |"


def _row_job(args: tuple[str, bool]) -> str:
    return table_row(Path(args[0]), args[1])


def main(argv: list[str]) -> int:
    import argparse
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    parser = argparse.ArgumentParser(description="Print the mutant table as Markdown.")
    parser.add_argument("names", nargs="*", help="only mutants whose file stem starts with one of these")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--catches-only", action="store_true",
                        help="run only the checks CATCHES names (fast) instead of every check of the blocks defined")
    args = parser.parse_args(argv)
    paths = [p for p in MUTANTS if not args.names or any(p.stem.startswith(n) for n in args.names)]
    print("| mutant | defect | failing checks |\n|---|---|---|")
    jobs = [(str(p), args.catches_only) for p in paths]
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            for row in pool.map(_row_job, jobs):
                print(row, flush=True)
    else:
        for job in jobs:
            print(_row_job(job), flush=True)
    print("\nBold: a check the mutant's CATCHES names. "
          + ("Only those checks were run." if args.catches_only else "Every check of the blocks it defines was run."))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

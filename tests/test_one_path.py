"""One path from a target to a verdict: every front-end runs its checks through the execution layer
(``conformance.execution``), so for the same seed each gives the same verdicts. The API in a
self-test process is the reference; the isolated child, a batch's forked children, pytest in-process, pytest
under xdist, the CLI (a batch: its worker's forked children) and ``parametrize_with_checks`` must
give the same status and reason for every check id, on a failing target and on a passing one."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

import conformance
from tests.test_frontends import ROOT, run

MUTANT = "tests/mutants/relu_leaky.py"  # fails relu.forward and relu.gradient
TORCH = "torch"
SEED = 1234
PROFILE = "ci"  # 20 examples suffice; the explicit seed overrides its derandomizing, wherever the checks run
#: The checks ``-k relu.`` selects (pytest matches within each id; ``relu_leaky:linear.*`` has no ``relu.``).
RELU = [c.id for c in conformance.all_checks() if "relu." in c.id]


def verdicts(results) -> dict[str, tuple[str, str]]:
    """check id -> (status, reason) of Results or of a JSON report's records."""
    out = {}
    for r in results:
        record = r if isinstance(r, dict) else r.__dict__
        out[record["id"]] = (record["status"], record["reason"])
    return out


def _in_process() -> dict[str, dict[str, tuple[str, str]]]:
    out = {}
    for spec in (MUTANT, TORCH):
        report = conformance.run(spec, checks=RELU, seed=SEED, profile=PROFILE, isolate=False, quiet=True)
        out[spec] = verdicts(report.results)
    return out


@pytest.fixture(scope="module")
def reference(shared_result) -> dict[str, dict[str, tuple[str, str]]]:
    """The API in a self-test process, per target: the verdicts every other front-end must match
    (made once per session, whichever xdist worker this module's tests went to)."""
    out = {spec: {i: (status, reason) for i, (status, reason) in by_id.items()}
           for spec, by_id in shared_result("one_path_reference", _in_process).items()}
    assert out[MUTANT]["relu.forward[float32]"][0] == "failed" and out[TORCH]["relu.forward[float32]"][0] == "passed"
    return out


def test_the_api_isolated_and_batched_gives_the_same_verdicts(reference) -> None:
    isolated = conformance.run(MUTANT, checks=RELU, seed=SEED, profile=PROFILE, isolate=True, quiet=True)
    assert verdicts(isolated.results) == reference[MUTANT]
    batch = conformance.run([MUTANT, TORCH], checks=RELU, seed=SEED, profile=PROFILE, quiet=True)
    assert verdicts(batch.targets["relu_leaky"].results) == reference[MUTANT]
    assert verdicts(batch.targets["torch"].results) == reference[TORCH]


def _pytest_verdicts(tmp_path: Path, *args: str) -> dict:
    out = tmp_path / "report.json"
    result = run("-m", *args, "-k", "relu.", f"--hypothesis-seed={SEED}", "--hypothesis-profile", PROFILE,
                 "--report", str(out))
    assert result.returncode in (0, 1) and out.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(out.read_text())


@pytest.mark.parametrize("layout", [["-p", "no:xdist"], ["-n", "2"]], ids=["serial", "xdist"])
def test_pytest_gives_the_same_verdicts(tmp_path: Path, reference, layout: list[str]) -> None:
    spec = MUTANT if "no:xdist" in layout else TORCH  # one target each: the two layouts cover both
    report = _pytest_verdicts(tmp_path, "pytest", "conformance", "--impl", spec, *layout)
    assert verdicts(report["results"]) == reference[spec]


def test_the_cli_over_both_targets_gives_the_same_verdicts(tmp_path: Path, reference) -> None:
    report = _pytest_verdicts(tmp_path, "conformance", "--impl", MUTANT, "--impl", TORCH)
    assert verdicts(report["targets"]["relu_leaky"]["results"]) == reference[MUTANT]
    assert verdicts(report["targets"]["torch"]["results"]) == reference[TORCH]


def test_parametrize_with_checks_gives_the_same_verdicts(tmp_path: Path, reference) -> None:
    (tmp_path / "test_mine.py").write_text(textwrap.dedent(f"""
        import conformance

        @conformance.parametrize_with_checks({str(ROOT / MUTANT)!r}, checks={RELU!r}, seed={SEED},
                                             profile={PROFILE!r})
        def test_conformance(check):
            check()
    """))
    out = tmp_path / "report.json"
    result = run("-m", "pytest", str(tmp_path / "test_mine.py"), "-p", "conformance.frontends.plugin",
                 "--rootdir", str(tmp_path), "-p", "no:xdist", "--report", str(out))
    assert result.returncode == 1 and out.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    assert verdicts(json.loads(out.read_text())["results"]) == reference[MUTANT]

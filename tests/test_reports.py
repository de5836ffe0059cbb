"""The third-party workflow: expected-failures files, JSON and Markdown reports (also under xdist),
the seed that replays a run, ``parametrize_with_checks``, and devices this machine lacks."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import torch

import conformance
from conformance.frontends.expected import Expectations, ExpectedFileError
from tests.test_frontends import ROOT, run

MUTANT = str(ROOT / "tests" / "mutants" / "relu_leaky.py")  # fails relu.forward and relu.gradient


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip())
    return path


# -- the expected-failures file ---------------------------------------------------------------------
def test_expected_file_is_validated(tmp_path: Path) -> None:
    cases = {
        '[xfail]\n"relu.forward*" = ""\n': "needs a reason",
        '[xfails]\n"relu.forward*" = "typo in section"\n': "unknown sections",
        '[tolerance]\n"relu.forward*" = { factor = 0.5, reason = "shrinks" }\n': "factor = <number >= 1>",
        '[xfail\n': "Expected",  # TOML syntax error, reported with its position
    }
    for text, message in cases.items():
        with pytest.raises(ExpectedFileError, match=message):
            Expectations.load(write(tmp_path / "e.toml", text))
    stale = Expectations.load(write(tmp_path / "e.toml", '[skip]\n"relu.forwrd*" = "typo: matches nothing"\n'))
    with pytest.raises(ExpectedFileError, match=r"entries match no check: \[skip\] 'relu.forwrd\*'"):
        stale.validate(c.id for c in conformance.all_checks())


def test_expected_file_outcomes_and_widening(tmp_path: Path) -> None:
    expected = Expectations.load(write(tmp_path / "e.toml", """
        [xfail]
        "relu.*" = "leaky on purpose"
        [skip]
        "relu.gradcheck*" = "slow"
        [tolerance]
        "linear.forward*" = { factor = 2, reason = "fused" }
        "linear.forward[float32]" = { factor = 4, reason = "tf32" }
    """))
    assert expected.outcome("relu.forward[float32]") == ("xfail", "leaky on purpose")
    assert expected.outcome("relu.gradcheck[float64]") == ("skip", "slow")  # skip wins over xfail
    assert expected.outcome("linear.forward[float32]") is None
    assert expected.widen(["linear.forward[float32]", "linear.forward[float64]", "relu.forward[float32]"]) == {
        "linear.forward[float32]": 4.0, "linear.forward[float64]": 2.0}


def test_stale_entry_is_a_usage_error_in_pytest(tmp_path: Path) -> None:
    stale = write(tmp_path / "e.toml", '[xfail]\n"mysequental.structure" = "typo"\n')
    result = run("-m", "pytest", "conformance", "--expected", str(stale), "-q")
    assert result.returncode == 4, result.stdout[-2000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR:")]
    assert len(errors) == 1 and "match no check" in errors[0] and "mysequental.structure" in errors[0]


def test_xfail_skip_and_strict_xpass_in_pytest(tmp_path: Path) -> None:
    expected = write(tmp_path / "e.toml", """
        [xfail]
        "relu.forward*" = "leaky ReLU, accepted"
        "relu.structure" = "not actually broken: an XPASS"
        [skip]
        "relu.gradient*" = "known, fixing later"
    """)
    args = ("-m", "pytest", "conformance", "--impl", MUTANT, "-k", "relu.forward or relu.structure or relu.gradient[",
            "--expected", str(expected), "-rsxX")
    lenient = run(*args)
    assert lenient.returncode == 0, lenient.stdout[-3000:]
    matrix = lenient.stdout.split("conformance matrix", 1)[1]
    assert "\n1 xpass, 4 xfail, 4 skipped\n" in matrix, matrix  # forward and gradient in 4 dtypes
    assert "x xfail" in matrix and "X XPASS" in matrix and "s skip" in matrix  # the legend
    strict = run(*args, "--strict-expected")
    assert strict.returncode == 1, strict.stdout[-3000:]
    strict_matrix = strict.stdout.split("conformance matrix", 1)[1]  # the strict XPASS fails the run, with its reason
    assert "relu.structure (XPASS): expected to fail: not actually broken: an XPASS" in strict_matrix, strict_matrix
    as_skip = run(*args, "--xfail-as-skip")
    assert as_skip.returncode == 0 and "9 skipped" in as_skip.stdout.split("conformance matrix", 1)[1]


def test_expected_file_in_the_python_api(tmp_path: Path) -> None:
    expected = write(tmp_path / "e.toml", """
        [xfail]
        "relu.forward*" = "leaky ReLU, accepted"
        "relu.structure" = "an XPASS"
    """)
    checks = ["relu.forward[float32]", "relu.forward[float64]", "relu.structure"]
    report = conformance.run(MUTANT, checks=checks, max_examples=20, expected=expected, isolate=False)
    assert [r.status for r in report.results] == ["xfail", "xfail", "xpass"] and report.ok
    assert report.results[0].reason.startswith("expected to fail: leaky ReLU, accepted")
    assert not conformance.run(MUTANT, checks=checks, max_examples=20, expected=expected, strict_expected=True,
                             isolate=False).ok


# -- reports --------------------------------------------------------------------------------------
def test_json_report_is_the_same_in_any_worker_layout(tmp_path: Path) -> None:
    """A fixed seed gives the same records serially and gathered from two xdist workers."""
    records = {}
    for layout in (["-p", "no:xdist"], ["-n", "2"]):
        out = tmp_path / f"report{len(records)}.json"
        md = tmp_path / f"report{len(records)}.md"
        result = run("-m", "pytest", "conformance", "--impl", MUTANT, "-k", "(relu or linear.structure) and not 16",
                     "--hypothesis-seed=12345", "--report", str(out), "--report-md", str(md), *layout,
                     env={"CI": ""})
        assert result.returncode == 1, result.stdout[-3000:]
        assert "hypothesis seed 12345" in result.stdout
        report = json.loads(out.read_text())
        records[layout[1]] = report
        assert "| relu | 2 FAIL |" in md.read_text() and "relu.forward[float32]" in md.read_text()
    serial, parallel = records.values()
    keep = ("id", "status", "reason", "example", "snippet")
    assert ([{k: r[k] for k in keep} for r in serial["results"]]
            == [{k: r[k] for k in keep} for r in parallel["results"]])
    failed = [r for r in parallel["results"] if r["status"] == "failed"]
    # (gradgrad judges only examples whose first order is the spec's: the leaky part is forward's finding)
    assert [r["id"] for r in failed] == ["relu.forward[float32]", "relu.forward[float64]",
                                         "relu.gradient[float32]", "relu.gradient[float64]",
                                         "relu.lifecycle[float32]", "relu.lifecycle[float64]"]
    first = failed[0]
    assert "differs from the reference" in first["reason"] and "target.ReLU()" in first["example"]
    assert "load_target(" in first["snippet"] and ("Draw 1 (constructor arguments;" in first["hypothesis"]
                                                  or "data=anchor case relu." in first["hypothesis"])  # an edge
    assert "forward_matches_reference(" in first["hypothesis"]  # Hypothesis names the check's own test
    assert first["duration"] > 0
    assert any(r["status"] == "not provided" and r["reason"].startswith("not provided: ") for r in parallel["results"])
    meta = parallel["metadata"]
    for key in ("target", "target_version", "torch", "numpy", "hypothesis", "python", "suite_version", "profile",
                "hypothesis_seed", "device", "float32_matmul_precision"):
        assert key in meta, key
    assert meta["hypothesis_seed"] == 12345 and meta["profile"] == "dev" and parallel["summary"]["failed"] == 6


def test_report_failure_replays_from_its_snippet(tmp_path: Path) -> None:
    report = conformance.run(MUTANT, checks=["relu.forward[float64]"], max_examples=20, seed=7, isolate=False)
    (result,) = report.results
    assert result.status == "failed" and report.metadata["hypothesis_seed"] == 7
    script = write(tmp_path / "repro.py", result.snippet)
    replay = run(str(script))
    assert replay.returncode == 0, replay.stderr
    actual, expected = replay.stdout.split("expected:")
    assert actual.strip() != expected.strip()  # the snippet shows the defect
    again = conformance.run(MUTANT, checks=["relu.forward[float64]"], max_examples=20, seed=7, isolate=False)
    assert again.results[0].example == result.example  # the seed alone replays the run


def test_tolerance_widening_is_reported(tmp_path: Path) -> None:
    expected = write(tmp_path / "e.toml", '[tolerance]\n"relu.forward[float32]" = { factor = 2, reason = "fused" }\n')
    report = conformance.run("torch", checks=["relu.forward[float32]"], max_examples=5, expected=expected,
                             isolate=False)
    assert report.metadata["widened"] == {"relu.forward[float32]": 2.0}
    assert "tolerance widened x2 for relu.forward[float32]" in str(report)


# -- parametrize_with_checks and devices ----------------------------------------------------------
def test_parametrize_with_checks_in_a_users_test_file(tmp_path: Path) -> None:
    write(tmp_path / "expected.toml", """
        [xfail]
        "relu.forward*" = "leaky on purpose"
        [skip]
        "relu.saveload*" = "not needed"
    """)
    write(tmp_path / "test_mine.py", f"""
        import conformance, importlib.util
        spec = importlib.util.spec_from_file_location("mine", {MUTANT!r})
        mine = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mine)

        @conformance.parametrize_with_checks(mine, checks=["relu.*", "linear.structure"],
                                             expected={str(tmp_path / "expected.toml")!r}, max_examples=10)
        def test_conformance(check):
            check()
    """)
    result = run("-m", "pytest", str(tmp_path / "test_mine.py"), "-p", "conformance.frontends.plugin", "-rsxX",
                 "--rootdir", str(tmp_path), "-p", "no:xdist")
    assert result.returncode == 1, result.stdout[-3000:]
    out = result.stdout
    # gradient and lifecycle (4 dtypes each) fail; forward (4) xfails; saveload (2) skipped, linear.structure
    # not provided; gradgrad passes on the examples where the leaky ReLU's first order is the spec's
    assert "8 failed" in out and "4 xfailed" in out and "3 skipped" in out
    assert "not provided: target" in out  # linear.structure: the module defines no Linear
    matrix = out.split("conformance matrix", 1)[1]
    assert "target: <module>" not in matrix and "\nrelu " in matrix and "FF" in matrix and "F FAIL" in matrix


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU: the skip path is not taken")
def test_missing_device_skips_with_a_reason() -> None:
    report = conformance.run("torch", checks=["relu.forward[float32]", "relu.forward[float64]"], max_examples=5,
                             device="cuda", isolate=False)
    assert [r.status for r in report.results] == ["skipped", "skipped"]
    assert "no CUDA device" in report.results[0].reason and report.metadata["device"] == "cuda"
    result = run("-m", "pytest", "conformance", "--device", "cuda", "-k", "relu.forward and not 16", "-rs")
    assert result.returncode == 0 and "no CUDA device" in result.stdout and "2 skipped" in result.stdout


@pytest.mark.parametrize("profile, max_examples", [("ci", 20), ("dev", 60)])
def test_hypothesis_profile_option_selects_the_suites_profiles(tmp_path: Path, profile: str, max_examples: int) -> None:
    """``--hypothesis-profile`` names the suite's profiles (registered before Hypothesis's plugin loads
    one; Hypothesis ships a "ci" profile of its own that ours replaces)."""
    out = tmp_path / "report.json"
    result = run("-m", "pytest", "conformance", "-k", "relu.structure", "--hypothesis-profile", profile,
                 "--report", str(out), "-p", "no:xdist")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    report = json.loads(out.read_text())
    meta = report["metadata"]
    assert meta["profile"] == profile and meta["max_examples"] == max_examples
    # What Hypothesis actually ran, not only what the report says (its own "ci" profile runs 100)
    (record,) = report["results"]
    assert max_examples <= record["examples"] < 2 * max_examples


def test_a_result_resting_on_an_unconfirmed_cause_is_worded_by_its_status() -> None:
    """A pass that left examples to a check which did not fail says it judged only some examples (it
    once read "linear.meta is passed because linear.structure should fail"); a *not checked* one
    says why it was not checked; neither lets the run be green."""
    from conformance.reports.report import Result, notes_lines, unconfirmed

    results = [Result("linear.meta", "linear", "meta", "passed", cause="linear.structure"),
               Result("linear.copy", "linear", "copy", "not checked", cause="linear.structure"),
               Result("linear.structure", "linear", "structure", "passed")]
    lines = [line for line in notes_lines(results) if line.startswith("ERROR")]
    assert len(unconfirmed(results)) == 2
    assert lines[0].startswith("ERROR: linear.meta passed on the examples it could judge; it left others to "
                               "linear.structure, which did not fail")
    assert lines[1].startswith("ERROR: linear.copy is not checked because linear.structure should fail")

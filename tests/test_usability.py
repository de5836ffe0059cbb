"""A new user's first hour: nothing green by accident, the user's own mistakes fail before any check
runs (with the nearest ids), one header everywhere, output that fits 100 columns, progress."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

import conformance
from conformance.loading.target import CONTRACT_NAMES
from conformance.reports import matrix
from conformance.reports.progress import Progress, choose_mode
from conformance.reports.report import Report, Result
from tests.test_frontends import ROOT, run

MUTANT = str(ROOT / "tests" / "mutants" / "relu_leaky.py")  # fails relu.forward and relu.gradient


# -- nothing green by accident (the Python API) ----------------------------------------------------
def test_api_usage_errors_select_nothing_and_speak_the_apis_terms(tmp_path: Path) -> None:
    with pytest.raises(conformance.UsageError, match=r"run\(checks=\['linaer\.\*'\]\): 'linaer\.\*' matches no "
                                                     r"check id \(did you mean `linear\.\*`"):
        conformance.run("torch", checks=["linaer.*"])
    with pytest.raises(conformance.UsageError, match="empty selection"):
        conformance.run("torch", checks=[])
    only_linear = tmp_path / "only_linear.py"
    only_linear.write_text("from torch.nn import Linear\n")
    with pytest.raises(conformance.UsageError, match=r"provides none of the selected checks: they need ReLU"):
        conformance.run(str(only_linear), checks=["relu.*"])
    with pytest.raises(conformance.TargetError) as missing:
        conformance.run("no.such.module")
    assert str(missing.value).startswith("run(target='no.such.module'): ") and "--impl" not in str(missing.value)
    stale = tmp_path / "e.toml"
    stale.write_text('[xfail]\n"mysequental.structure" = "typo"\n')
    with pytest.raises(conformance.UsageError, match=r"^run\(expected=.*did you mean `mysequential\.structure`"):
        conformance.run("torch", checks=["relu.*"], expected=stale)
    skip_all = tmp_path / "skip.toml"
    skip_all.write_text('[skip]\n"relu.*" = "not yet"\n')
    with pytest.raises(conformance.UsageError, match="skips every selected check"):
        conformance.run("torch", checks=["relu.*"], expected=skip_all)
    with pytest.raises(conformance.UsageError, match=r"parametrize_with_checks\(checks=.*did you mean `relu\.\*`"):
        conformance.parametrize_with_checks("torch", checks=["rleu.*"])


# -- the command line: usage errors before any check runs -------------------------------------------
@pytest.mark.parametrize("layout", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_cli_keyword_typo_is_a_usage_error_with_the_nearest_ids(layout: list[str]) -> None:
    result = run("-m", "conformance", "-k", "linaer", *layout)
    assert result.returncode == 4, result.stdout[-2000:]
    errors = [line for line in (result.stdout + result.stderr).splitlines() if line.startswith("ERROR:")]
    assert len(errors) == 1 and "did you mean `linear`" in errors[0], errors


def test_target_providing_none_of_the_selection_is_a_usage_error(tmp_path: Path) -> None:
    only_linear = tmp_path / "only_linear.py"
    only_linear.write_text("from torch.nn import Linear\n")
    result = run("-m", "pytest", "conformance", "--impl", str(only_linear), "-k", "relu")
    assert result.returncode == 4, result.stdout[-2000:]
    assert "ERROR: target " in result.stdout and "provides none of the 18 selected checks" in result.stdout


@pytest.mark.parametrize("option", ["--report", "--report-md"])
def test_bad_report_path_fails_before_any_check(tmp_path: Path, option: str) -> None:
    bad = str(tmp_path / "no" / "such" / "dir" / "out.json")
    for args in (("-m", "conformance", "--progress", "lines"), ("-m", "pytest", "conformance")):
        result = run(*args, option, bad, env={"CI": ""})  # no -k: had it run, the whole suite would have
        assert result.returncode == 4, result.stdout[-2000:]
        output = result.stdout + result.stderr
        assert f"ERROR: {option} {bad!r}: directory" in output and "does not exist" in output
        assert "Traceback" not in output and "conformance matrix" not in output and "[  1/" not in output
    as_directory = run("-m", "conformance", option, str(tmp_path))
    assert as_directory.returncode == 4 and "is a directory" in as_directory.stderr


def test_suite_outside_a_clone_points_at_pyargs(tmp_path: Path) -> None:
    (tmp_path / "blocks.py").write_text("from torch.nn import Linear\n")
    env = {**__import__("os").environ, "CI": "1", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "pytest", "conformance", "--impl", "blocks.py"], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 4
    assert "--pyargs conformance" in result.stderr and "python -m conformance" in result.stderr


# -- one header, progress -------------------------------------------------------------------------
@pytest.mark.parametrize("layout", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_cli_header_carries_the_seed_and_progress_is_shown_outside_ci(layout: list[str]) -> None:
    args = ("-m", "conformance", "--impl", MUTANT, "-k", "(relu.forward or relu.structure) and not 16",
            "--hypothesis-seed=4321", *layout)
    shown = run(*args, env={"CI": ""})
    assert shown.returncode == 1, shown.stdout[-2000:]
    lines = shown.stdout.splitlines()
    assert lines[0].startswith(f"conformance {conformance.__version__}: target {MUTANT!r}")
    seed_line = next(i for i, line in enumerate(lines) if "hypothesis seed" in line)
    assert "hypothesis seed 4321 (replay: --hypothesis-seed=4321)" in lines[seed_line]
    assert all(len(line) <= 100 for line in lines[:seed_line + 1]), lines[:seed_line + 1]
    assert "bringing up nodes" not in shown.stdout
    progress = [line for line in lines if line.startswith("[") and "/3]" in line]
    assert len(progress) == 3 and any("relu.structure pass" in line for line in progress), progress
    assert [line for line in lines if line.startswith("[3/3]")]
    for quiet in ({"env": {"CI": "1"}, "extra": ()}, {"env": {"CI": ""}, "extra": ("-q",)}):
        silent = run(*args, *quiet["extra"], env=quiet["env"])
        assert silent.returncode == 1 and "hypothesis seed 4321" in silent.stdout
        assert not [line for line in silent.stdout.splitlines() if "/3]" in line]


def test_progress_bar_lines_and_silence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert (choose_mode("auto", True), choose_mode("auto", False), choose_mode("auto", True, quiet=True)) == (
        "bar", "lines", "off")
    monkeypatch.setenv("CI", "1")
    assert choose_mode("auto", True) == "off" and choose_mode("lines", True) == "lines"
    out = io.StringIO()
    bar = Progress("bar", out.write, total=3, width=100)
    bar.start("linear.forward[float32]")
    assert "\r[" in out.getvalue() and "0/3" in out.getvalue() and "running linear.forward[float32]" in out.getvalue()
    bar.finish("linear.forward[float32]", "passed")
    bar.start("relu.forward[float32]")
    bar.finish("relu.forward[float32]", "failed")
    assert "2/3 1 FAIL, 1 pass" in out.getvalue().split("\r")[-1]
    bar.close()
    assert out.getvalue().endswith("\r") and "\n" not in out.getvalue()
    out = io.StringIO()
    lines = Progress("lines", out.write, total=12)
    lines.finish("relu.strict", "passed", 0.25)
    assert out.getvalue() == "[ 1/12] relu.strict pass (0.2 s)\n"
    off = io.StringIO()
    quiet = Progress("off", off.write, total=2)
    quiet.start("a")
    quiet.finish("a", "passed")
    assert off.getvalue() == ""


def test_run_prints_the_header_and_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    out = io.StringIO()
    report = conformance.run("torch", checks=["relu.structure", "relu.strict"], max_examples=3, seed=99, stream=out,
                             isolate=False)
    text = out.getvalue().splitlines()
    assert text[0].startswith(f"conformance {conformance.__version__}: target 'torch'")
    seed_line = next(i for i, line in enumerate(text) if "hypothesis seed" in line)
    assert "hypothesis seed 99 (replay: conformance.run(..., seed=99))" in text[seed_line]
    assert text[seed_line + 1].startswith("[1/2] relu.structure pass")
    assert text[seed_line + 2].startswith("[2/2] relu.strict pass")
    assert report.ok
    monkeypatch.setenv("CI", "1")
    out = io.StringIO()
    conformance.run("torch", checks=["relu.structure"], max_examples=3, stream=out, isolate=False)
    shown = out.getvalue().splitlines()
    assert all(line.startswith("conformance") for line in shown) and "hypothesis seed" in shown[-1]  # the header only
    out = io.StringIO()
    conformance.run("torch", checks=["relu.structure"], max_examples=3, stream=out, quiet=True,
                    isolate=False)
    assert out.getvalue() == ""


# -- output that fits; the Report on its own ------------------------------------------------------
def _full_contract(provided: tuple[str, ...] = CONTRACT_NAMES) -> list[Result]:
    cycle = ("passed", "failed", "xfail", "passed", "skipped", "xpass")
    out = []
    for i, check in enumerate(conformance.all_checks()):
        status = cycle[i % len(cycle)] if all(n in provided for n in check.requires) else "not provided"
        out.append(Result(check.id, check.block, check.property, status, reason=f"reason {i}\nsecond line"))
    return out


def test_matrix_fits_100_columns_for_the_full_contract() -> None:
    results = _full_contract()
    text = matrix.render_terminal(results)
    assert max(len(line) for line in text.splitlines()) <= 100, text
    header = text.splitlines()[0]
    assert "reproducible" not in header and "fixedhiddenmlp" in text  # abbreviated, with the legend
    legend = " ".join(text.split("legend:", 1)[1].split())
    assert "reproducible" in legend and "F FAIL" in legend and "- n/p" not in legend
    markdown = matrix.render_markdown(results)  # the report files keep the full table
    assert "| reproducible |" in markdown.splitlines()[0] and "1 FAIL" in markdown


def test_all_not_provided_rows_fold_into_one_line() -> None:
    results = _full_contract(provided=("Linear", "ReLU", "Sequential", "init"))
    text = matrix.render_terminal(results)
    folded = [line for line in text.splitlines() if line.startswith("not provided (")]
    assert len(folded) == 1 and "chimera" in folded[0] and "nestmlp" in folded[0]
    rows = [line.split()[0] for line in text.splitlines()[2:] if line and not line.startswith(("not ", "legend", " "))]
    assert "chimera" not in rows and "linear" in rows and "relu" in rows
    assert "| chimera |" in matrix.render_markdown(results)


def test_matrix_is_generic_over_statuses(monkeypatch: pytest.MonkeyPatch) -> None:
    """A status is one entry in LABELS and one in GLYPHS; one the matrix does not know still renders."""
    monkeypatch.setitem(matrix.LABELS, "flaky", "flk")
    monkeypatch.setitem(matrix.GLYPHS, "flaky", "k")
    results = [Result("relu.forward[float32]", "relu", "forward", "flaky"),
               Result("relu.forward[float64]", "relu", "forward", "passed"),
               Result("relu.structure", "relu", "structure", "unheard-of")]
    text = matrix.render_terminal(results)
    (row,) = [line for line in text.splitlines() if line.startswith("relu")]
    assert row.split() == ["relu", "k.", "?"], text  # one glyph per check, in result order
    assert "k flk" in text and matrix.summary(results) == "1 passed, 1 flaky, 1 unheard-of"
    assert "| relu | 1 pass 1 flk | 1 unheard-of |" in matrix.render_markdown(results)


def test_print_report_ends_with_the_failures() -> None:
    results = [Result("relu.forward[float32]", "relu", "forward", "failed", reason="too leaky\nmore detail"),
               Result("relu.structure", "relu", "structure", "xpass", reason="expected to fail: x"),
               Result("relu.strict", "relu", "strict", "passed")]
    lenient = Report(results=results)
    assert [r.id for r in lenient.failures()] == ["relu.forward[float32]"] and not lenient.ok
    lines = str(lenient).splitlines()
    assert lines[-3:] == ["failures:", "  relu.forward[float32]: too leaky",
                          "  relu.structure (XPASS): expected to fail: x"]
    strict = Report(results=results, metadata={"strict_expected": True})
    assert [r.id for r in strict.failures()] == ["relu.forward[float32]", "relu.structure"]
    assert str(Report(results=results[2:])).splitlines()[-1] == "1 passed"


def test_readme_documents_the_report_and_the_edges() -> None:
    readme = (ROOT / "README.md").read_text()
    for needle in ("report.failures()", "--pyargs conformance", "download.pytorch.org/whl/cpu", "tox -e oldest",
                   "pip install -q tox", "torch.save", "--full-trace", "UsageError"):
        assert needle in readme, needle
    tox = (ROOT / "tox.ini").read_text()
    assert "oldest" in tox.split("envlist", 1)[1].splitlines()[0]


def test_a_target_file_imports_the_modules_beside_it(tmp_path: Path) -> None:
    """A target (or a spec) file may import its siblings, as ``python file.py`` lets it: a mutant
    written as a small change to a base file beside it."""
    (tmp_path / "sibling_base.py").write_text("from torch.nn import ReLU  # noqa: F401\n")
    (tmp_path / "sibling_target.py").write_text("from sibling_base import ReLU  # noqa: F401\n")
    report = conformance.run(str(tmp_path / "sibling_target.py"), checks=["relu.forward[float32]"],
                             quiet=True, isolate=False)
    assert [r.status for r in report.results] == ["passed"], [r.message for r in report.results]

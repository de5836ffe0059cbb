"""The front-ends: the pytest plugin, the CLI, usage errors, not-provided reporting, xdist, the API."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import conformance
from conformance.loading.target import TargetError, load_target

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "CI": "1", **(env or {})}
    full_env.pop("PYTEST_XDIST_WORKER", None)
    # the checkout is importable from scripts and other directories too (an install does the same)
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), (env or {}).get("PYTHONPATH"),
                                                           os.environ.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=full_env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture
def partial_target(tmp_path: Path) -> Path:
    path = tmp_path / "only_linear.py"
    path.write_text("from torch.nn import Linear\n")
    return path


@pytest.mark.parametrize("layout", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_usage_errors_are_one_line(tmp_path: Path, layout: list[str]) -> None:
    """Exit 4 with one ERROR line and no traceback. Under xdist the controller only checks that the
    target exists; what its import raises (or a hang) is found by the workers, which run no check
    and hand the error to the controller (no worker crash, no restarted workers)."""
    raising = tmp_path / "raising.py"
    raising.write_text("raise RuntimeError('boom')\n")
    empty = tmp_path / "empty.py"
    empty.write_text("x = 1\n")
    hanging = tmp_path / "hanging.py"
    hanging.write_text("while True:\n    pass\n")
    cases = {
        "no.such.module": "no module named 'no.such.module'",
        str(tmp_path / "missing.py"): "no such file",
        str(raising): "raised RuntimeError: boom",
        str(empty): "defines none of the contract names",
        str(hanging): "did not finish within 2 s",
    }
    for impl, message in cases.items():
        result = run("-m", "pytest", "conformance", "--impl", impl, "-q", *layout,
                     env={"CONFORMANCE_IMPORT_TIMEOUT": "2"})
        assert result.returncode == 4, (impl, result.stdout[-2000:], result.stderr[-2000:])
        output = result.stdout + result.stderr
        errors = [line for line in output.splitlines() if line.startswith("ERROR:")]
        assert len(errors) == 1 and message in errors[0], (impl, output[-2000:])
        assert "Traceback" not in output and "node down" not in output


def test_the_plugin_and_the_xdist_controller_import_no_torch(tmp_path: Path) -> None:
    """Importing the plugin (every pytest run in an environment with the package does) imports
    neither torch nor Hypothesis, and another suite's pytest run imports no torch; listing the
    checks imports no torch or scipy; and under xdist the controller never imports torch, while the
    report still says which torch the workers ran."""
    probe = ("import sys, conformance.frontends.plugin; "
             "print(sorted(m for m in ('torch', 'hypothesis', 'scipy') if m in sys.modules))")
    assert run("-c", probe).stdout.strip() == "[]"
    listing = ("import sys; from conformance.core.registry import all_checks; n = len(all_checks()); "
               "print(n, sorted(m for m in ('torch', 'scipy') if m in sys.modules))")
    assert run("-c", listing).stdout.strip().endswith("[]")
    other = tmp_path / "other_suite"
    other.mkdir()
    (other / "test_other.py").write_text("import sys\n\ndef test_no_torch():\n    assert 'torch' not in sys.modules\n")
    unrelated = run("-m", "pytest", str(other), "-p", "conformance.frontends.plugin", "-q", "-p", "no:cacheprovider")
    assert unrelated.returncode == 0, unrelated.stdout[-2000:]  # another suite's run imports no torch
    (tmp_path / "controller_probe.py").write_text(textwrap.dedent("""\
        import sys
        def pytest_unconfigure(config):
            if getattr(config, "workerinput", None) is None:
                print("controller imported torch:", "torch" in sys.modules)
        """))
    out = tmp_path / "report.json"
    result = run("-m", "pytest", "conformance", "-n", "2", "-k", "relu.structure", "-p", "controller_probe",
                 "--report", str(out), env={"PYTHONPATH": str(tmp_path)})
    assert result.returncode == 0, result.stdout[-2000:]
    assert "controller imported torch: False" in result.stdout
    assert "imported by the xdist workers" in result.stdout
    import json

    metadata = json.loads(out.read_text())["metadata"]
    import torch

    assert metadata["torch"] == str(torch.__version__) and "Chimera" in metadata["provides"]
    assert metadata["profile"] == "ci" and metadata["max_examples"] == 20 and metadata["workers"] == 2


def test_load_target_forms(partial_target: Path) -> None:
    assert load_target("torch").provides("Chimera")
    assert load_target(str(partial_target)).provided == ["Linear"]
    assert load_target({"ReLU": object}).provided == ["ReLU"]
    with pytest.raises(TargetError):
        load_target({"nothing": 1})


def test_pytest_plugin_reports_not_provided_and_matrix(partial_target: Path) -> None:
    result = run("-m", "pytest", "conformance", "--impl", str(partial_target), "-k", "linear or relu", "-rs")
    assert result.returncode == 0, result.stdout[-3000:]
    out = result.stdout
    matrix = out.split("conformance matrix", 1)[1]
    folded = [line for line in matrix.splitlines() if line.startswith("not provided (")]
    assert len(folded) == 1 and "relu" in folded[0] and "mylinear" in folded[0]  # all-n/p rows: one line
    assert "not provided: target" in out and "defines no ReLU" in out
    assert f"target: {partial_target} ({partial_target})" in matrix  # the target as the user named it


def test_env_var_selects_target_and_xdist_gathers_results(partial_target: Path) -> None:
    result = run("-m", "pytest", "conformance", "-n", "2", "-k", "linear.structure or relu.structure",
                 env={"CONFORMANCE_IMPL": str(partial_target)})
    assert result.returncode == 0, result.stdout[-3000:]
    matrix = result.stdout.split("conformance matrix", 1)[1]
    assert "1 passed, 2 not provided" in matrix  # linear; relu and mylinear are not provided


def test_cli_prints_matrix_and_fails_on_defect(tmp_path: Path) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text(textwrap.dedent("""
        import torch
        class ReLU(torch.nn.Module):
            def forward(self, x):
                return x.abs()
    """))
    result = run("-m", "conformance", "--impl", str(broken), "-k", "relu.forward")
    assert result.returncode == 1
    assert "relu.forward[float32]" in result.stdout and "FAIL" in result.stdout
    # by default one line per failing check (after the matrix), not pytest's traceback nor the full text
    assert "conformance/core/registry.py" not in result.stdout and "CheckContext(" not in result.stdout
    assert "Reproduce:" not in result.stdout and "-v, or --report" in result.stdout
    assert len(result.stdout.splitlines()) < 40, len(result.stdout.splitlines())
    verbose = run("-m", "conformance", "--impl", str(broken), "-k", "relu.forward", "-v")
    assert verbose.returncode == 1 and "Reproduce:" in verbose.stdout  # -v: the failure as the suite words it
    assert "conformance/core/registry.py" not in verbose.stdout
    full = run("-m", "conformance", "--impl", str(broken), "-k", "relu.forward", "--full-trace")
    assert full.returncode == 1 and "conformance/core/registry.py" in full.stdout


def test_checks_without_a_backward_leave_torchs_first_backward_undone() -> None:
    """The forward, structure and strict checks (``engine.NO_BACKWARD_PROPERTIES``) run no backward
    with an explicit gradient, so a process whose checks are all of them skips the warm-up backward
    (which imports sympy): the list must stay true, or such a first backward, importing, would run
    under a check's time limit. Any other check has it done first."""
    probe = ("import sys, conformance; from conformance.execution.engine import NO_BACKWARD_PROPERTIES as P; "
             "ids = [c.id for c in conformance.all_checks() if c.property in P]; "
             "r = conformance.run('torch', checks=ids, max_examples=2, isolate=False, quiet=True); "
             "print(len(ids), sorted({x.status for x in r.results}), 'sympy' in sys.modules); "
             "conformance.run('torch', checks=['relu.gradient[float32]'], max_examples=2, isolate=False, quiet=True); "
             "print('sympy' in sys.modules)")
    lines = run("-c", probe).stdout.split("\n")
    assert lines[0].endswith("['passed'] False") and int(lines[0].split()[0]) > 50 and lines[1] == "True", lines


def test_python_api_runs_without_pytest_frontend() -> None:
    report = conformance.run("torch", checks=["relu.*"], max_examples=5, isolate=False)
    assert report.ok and {r.status for r in report.results} == {"passed"}
    assert "relu" in report.matrix()


def test_check_ids_are_stable_and_unique() -> None:
    ids = [c.id for c in conformance.all_checks()]
    assert len(ids) == len(set(ids))
    assert "linear.forward[float32]" in ids and "fixedhiddenmlp.termination" in ids
    assert ids == [c.id for c in conformance.all_checks()]


def test_checks_leave_global_state_alone() -> None:
    import torch

    torch.manual_seed(1234)
    before = torch.get_rng_state()
    dtype, grad = torch.get_default_dtype(), torch.is_grad_enabled()
    # in this process (not an isolated child, whose state dies with it): the state asserted is this process's
    conformance.run("torch", checks=["linear.forward[float32]", "linear.gradient[float64]"], max_examples=5,
                    isolate=False)
    assert torch.equal(torch.get_rng_state(), before)
    assert torch.get_default_dtype() == dtype and torch.is_grad_enabled() == grad

"""Layers as libraries ship them (``tests/wrapped/``): torch.compile'd, scripted, parametrized,
weight-normed, spectral-normed (eval), pruned, inside a library wrapper, and with an extra adapter
term. Each file states, before any run, the verdict it must get per check (``EXPECTED``: id pattern
-> status, first match wins), the verdicts under ``unwrap=True`` (``UNWRAPPED``), what the report
must note (``NOTES``) and what a failure must say (``REASONS``). No reason may state what the
wrapping alone would make false (``FALSE_STATEMENTS``). The lazy layer is ``tests/correct/lazy_blocks.py``.
"""

from __future__ import annotations

import importlib
import runpy
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import settings

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

import conformance  # noqa: E402
from conformance.frontends.runner_patterns import matches  # noqa: E402
from conformance.loading.target import load_target  # noqa: E402
from conformance.sandbox import timeouts  # noqa: E402

TARGETS = sorted((HERE / "wrapped").glob("*.py"))
QUICK = settings(max_examples=15, derandomize=True, database=None, deadline=None)

#: What these blocks' wrappers must never be blamed for: each was a false reason before issue 13.
FALSE_STATEMENTS = ("depends on the other rows", "hung", "stateless API", "received no gradient",
                    "differs from the reference")


def statuses(path: Path, expected: dict[str, str], unwrap: bool) -> dict:
    target = load_target(str(path), unwrap=unwrap)
    report = conformance.run(target, checks=list(expected), settings=QUICK, quiet=True)  # default limits
    assert report.results, f"{path.name}: selects no check"
    for result in report.results:
        wanted = next(status for pattern, status in expected.items() if matches(pattern, result.id))
        assert result.status == wanted, (f"{path.name} (unwrap={unwrap}): {result.id} is {result.status}, "
                                         f"expected {wanted}\n{result.reason or result.message}")
        if result.status == "not checked":  # a cause, or a property the wrapped block cannot have
            assert result.reason, f"{result.id}: not checked without a reason"
        for text in FALSE_STATEMENTS:
            assert text not in (result.reason or ""), f"{result.id}: {result.reason}"
    return {r.id: r for r in report.results}


@pytest.mark.parametrize("path", TARGETS, ids=lambda p: p.stem)
def test_wrapped_layers_get_their_written_verdicts(path: Path) -> None:
    module = runpy.run_path(str(path))
    by_id = statuses(path, module["EXPECTED"], unwrap=False)
    for check_id, text in module["NOTES"].items():
        notes = by_id[check_id].notes
        assert any(text in note for note in notes), f"{check_id}: no note {text!r} in {notes}"
    for check_id, text in module["REASONS"].items():
        assert text in by_id[check_id].reason, f"{check_id}: reason lacks {text!r}: {by_id[check_id].reason}"
    causes = {r.cause for r in by_id.values() if r.status == "not checked"}
    assert all(by_id[c].status == "failed" for c in causes if c in by_id), "a not-checked cause did not fail"


@pytest.mark.parametrize("path", TARGETS, ids=lambda p: p.stem)
def test_unwrap_judges_the_layout_of_the_module_inside(path: Path) -> None:
    """Under --unwrap, every selected verdict as written, and none resting on a structure check that
    passes there (a run that would end red although every check passed or was not checked)."""
    by_id = statuses(path, runpy.run_path(str(path))["UNWRAPPED"], unwrap=True)
    leaning = [(r.id, r.cause) for r in by_id.values() if r.cause in by_id and by_id[r.cause].status == "passed"]
    assert not leaning, f"results relying on a structure check that passes under --unwrap: {leaning}"


def test_a_pruned_layers_init_snippet_shows_the_lost_init(tmp_path: Path) -> None:
    """The init recipe's failure reproduces as pasted: the weights the next forward uses are not 1."""
    path = HERE / "wrapped" / "pruned_linear.py"
    report = conformance.run(load_target(str(path)), checks=["sequential.init[init_constant]"], settings=QUICK,
                             quiet=True)
    result = report.results[0]
    assert result.status == "failed"
    done = subprocess.run([sys.executable, "-c", result.snippet], capture_output=True, text=True, cwd=HERE.parent,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    shown = result.reason.rsplit(": ", 1)[1]  # the weights that are not 1, as the reason gives them
    assert "net(torch.zeros(1" in result.snippet and shown in done.stdout, (result.reason, done.stdout)


# -- warm-up is not a hang ------------------------------------------------------------------------------
COMPILER_FRAME = """
import time
def compile_for(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
"""


def _compiler_function():
    """A function whose frames read as torch's compilers' (its globals' ``__name__``)."""
    namespace = {"__name__": "torch._dynamo.conformance_test"}
    exec(COMPILER_FRAME, namespace)  # noqa: S102 - a stand-in for a compiling call
    return namespace["compile_for"]


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="SIGALRM: main thread")
def test_a_call_still_compiling_past_its_limit_is_warm_up(monkeypatch: pytest.MonkeyPatch) -> None:
    compile_for = _compiler_function()
    before = len(timeouts.WARMUPS)
    with timeouts.time_limit(0.1, "forward"):
        compile_for(0.4)
    assert timeouts.WARMUPS[before:] and timeouts.WARMUPS[-1][0] == "forward"
    monkeypatch.setattr(timeouts, "WARMUP_TIMEOUT_S", 0.3)
    start = time.monotonic()
    allowance = "it was compiling.*--check-timeout.*past the warm-up allowance of 0.3 s"
    with pytest.raises(timeouts.TargetTimeout, match=allowance):
        with timeouts.time_limit(0.1, "forward"):
            compile_for(5)
    assert time.monotonic() - start < 2


def _generated(name: str):
    """A function as libraries generate them (namedtuple, dataclasses): compiled from a string, so
    its file name reads ``<string>``; it returns its own frame."""
    namespace = {"__name__": name, "sys": sys}
    exec(compile("def frame():\n    return sys._getframe()\n", "<string>", "exec"), namespace)  # noqa: S102
    return namespace["frame"]


def test_generated_code_inside_a_compiler_reads_as_compiling() -> None:
    """torch.compile runs tokenize's namedtuple constructors (file ``<string>``) while it traces: an
    alarm landing there is warm-up; the same generated code called by the target's own frame is not
    (this test's file stands for the target)."""
    namespace = {"__name__": "torch._dynamo.conformance_test", "helper": _generated("namedtuple_TokenInfo")}
    exec("def trace():\n    return helper()\n", namespace)  # noqa: S102 - a compiler frame calling generated code
    assert timeouts.warming_up(namespace["trace"]()) == "compiling"
    assert timeouts.warming_up(_generated("namedtuple_TokenInfo")()) is None


def test_a_library_module_being_imported_reads_as_warm_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A library imported on first use, interrupted half way, would stay half initialised for every
    later call of the process (``module has no attribute``): an import in progress is warm-up."""
    (tmp_path / "slow_library.py").write_text("import sys\nFRAME = sys._getframe()\n")
    monkeypatch.setattr(timeouts, "_library_paths", lambda: (str(tmp_path), "<"))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "slow_library", raising=False)
    assert timeouts.warming_up(importlib.import_module("slow_library").FRAME) == "importing a module"


def test_a_compiled_layer_compiling_past_the_per_call_limit_passes_and_says_so() -> None:
    """The first calls in a fresh process compile (seconds: dynamo, inductor, AOTAutograd) past a
    0.3 s per-call limit: warm-up, not a hang; the report says how long it took."""
    path = HERE / "wrapped" / "compiled_linear.py"  # by path: a fresh process, where nothing is compiled yet
    report = conformance.run(str(path), checks=["linear.forward[float32]", "linear.gradient[float32]"],
                             call_timeout=0.3, settings=settings(QUICK, max_examples=3), quiet=True)
    assert [r.status for r in report.results] == ["passed", "passed"], [(r.id, r.reason) for r in report.results]
    first = report.results[0]  # the first check of the process compiles (later ones may find the code cached)
    assert any("s compiling (warm-up" in note for note in first.notes), first.notes


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="SIGALRM: main thread")
def test_a_hang_names_the_option_that_raises_the_limit() -> None:
    with pytest.raises(timeouts.TargetTimeout, match=r"within 0.1 s \(the per-call limit: --check-timeout"):
        with timeouts.time_limit(0.1, "forward"):
            while True:
                pass


def test_the_oracle_judges_a_scripted_block_in_place() -> None:
    """torch's stateless API refuses TorchScript modules: the oracle's in-place probe judges the block
    (a scripted Linear that detaches its input fails on the gradients, not on the suite's API)."""
    path = HERE / "mutants" / "linear_scripted_input_detached.py"
    report = conformance.run(load_target(str(path)), checks=["linear.gradcheck[float64]"], settings=QUICK, quiet=True)
    result = report.results[0]
    assert result.status == "failed", result.reason
    assert result.reason.startswith("autograd's gradient disagrees with finite differences"), result.reason


def test_a_block_that_cannot_list_its_modules_keeps_its_verdicts() -> None:
    """The tutorial's MySequential keys its children by object (``named_modules()`` raises): looking for
    wrappers and pre-hooks must not turn its parameter-free chains into suite errors. Those chains are
    all it can judge, and they exercise nothing: *not checked*, for the structure check's failure."""
    checks = ["mysequential.forward[float32]", "mysequential.gradient[float32]", "mysequential.gradcheck[float64]"]
    report = conformance.run(load_target("tutorial"), checks=checks, settings=QUICK, quiet=True)
    assert [r.status for r in report.results] == ["not checked"] * 3, [(r.id, r.reason) for r in report.results]
    for r in report.results:
        assert r.cause == "mysequential.structure" and "exercise nothing" in r.reason, (r.id, r.reason)
        assert "SuiteError" not in r.reason and "suite's own code" not in r.reason, r.reason

"""How a target's names and signatures are read: constructors that take only ``*args``/``**kwargs``
(built once to see whether they take sizes), a ``--name`` the module lacks (refused from its source,
before torch is imported), ``-k`` by the target's own names, and the header of a user's
``parametrize_with_checks`` run (its target, not ``--impl``'s default)."""

from __future__ import annotations

import random
import re
import runpy
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import settings
from torch import nn
from torch.nn import functional as F

import conformance
from conformance.frontends.usage import keyword_error, own_names_keyword
from conformance.loading.construction import FIXED, SIZES, UNUSABLE, call_code, construction
from conformance.loading.source import read_names, source_file
from conformance.loading.target import BUILTIN_TARGETS, TargetError, load_target, refuse_missing_names
from conformance.reports.header import unfold
from conformance.sandbox import timeouts
from tests.test_frontends import ROOT, run

OTHER_NAMES = str(ROOT / "tests" / "real_code" / "other_names.py")  # defines Dense and Net
QUICK = settings(max_examples=10, derandomize=True, database=None, deadline=None)


def classify(name: str, obj: object):
    """How the suite calls ``obj`` as ``name`` (the chapter's signatures registered first: a test run
    alone, or first in its worker, must not see an empty database)."""
    import conformance.database  # noqa: F401 - importing it registers the chapter's blocks

    return construction(load_target({name: obj}), name)


# -- constructors with only catch-alls --------------------------------------------------------------
#: The tutorial's style: every keyword goes to nn.Module.__init__, which refuses the sizes.
TutorialMLP = runpy.run_path(str(ROOT / "tests" / "real_code" / "kwargs_style.py"))["MLP"]


class IgnoringMLP(TutorialMLP):
    """Takes any keyword and ignores it: fixed sizes too, though the call succeeds."""

    def __init__(self, **kwargs):
        super().__init__()


class ReadingMLP(nn.Module):
    """Reads its sizes from ``**kwargs``: it takes them."""

    def __init__(self, **kwargs):
        super().__init__()
        self.hidden = nn.Linear(kwargs["in_features"], kwargs["hidden_features"])
        self.out = nn.Linear(kwargs["hidden_features"], kwargs["out_features"])

    def forward(self, X):
        return self.out(F.relu(self.hidden(X)))


class ForwardingLinear(nn.Module):
    """Forwards everything to torch's Linear, inside it."""

    def __init__(self, *args, **kwargs):
        super().__init__()
        self.inner = nn.Linear(*args, **kwargs)

    def forward(self, x):
        return self.inner(x)


class Dense(nn.Module):
    def __init__(self, in_dim, out_dim):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_dim, in_dim))

    def forward(self, x):
        return x @ self.weight.T


class PositionalLinear(nn.Module):
    """Forwards positionally to a Dense that takes other names and no bias."""

    def __init__(self, *args):
        super().__init__()
        self.dense = Dense(*args)

    def forward(self, x):
        return self.dense(x)


class FixedLinear(nn.Module):
    """A Linear of one size whatever it is given: the contract's Linear has no default sizes."""

    def __init__(self, **kwargs):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(10, 20))


def test_the_tutorials_kwargs_mlp_is_fixed_size() -> None:
    c = classify("MLP", TutorialMLP)
    assert c.kind == FIXED, c
    assert c.reason.startswith("checked at fixed sizes: MLP(**kwargs) does not build the sizes it is given")
    assert "raised TypeError" in c.reason and "MLP(in_features=20, hidden_features=256, out_features=10)" in c.reason
    target = load_target({"MLP": TutorialMLP})
    assert call_code(target, "MLP", {"in_features": 7, "hidden_features": 2, "out_features": 3}) == "target.MLP()"


def test_a_kwargs_factory_that_ignores_the_sizes_is_fixed_one_that_reads_them_is_not() -> None:
    ignoring = classify("MLP", IgnoringMLP)
    assert ignoring.kind == FIXED and "builds the parameter shapes it builds at other sizes" in ignoring.reason
    reading = classify("MLP", ReadingMLP)
    assert (reading.kind, reading.keywords) == (SIZES, True), reading
    args = {"in_features": 7, "hidden_features": 2, "out_features": 3}
    code = call_code(load_target({"MLP": ReadingMLP}), "MLP", args)
    assert code == "target.MLP(in_features=7, hidden_features=2, out_features=3)"


def test_a_catch_all_forwarding_to_a_linear_takes_sizes() -> None:
    forwarding = classify("Linear", ForwardingLinear)
    assert (forwarding.kind, forwarding.keywords, forwarding.bias, forwarding.reason) == (SIZES, True, True, "")
    positional = classify("Linear", PositionalLinear)
    assert (positional.kind, positional.keywords, positional.bias) == (SIZES, False, False), positional
    assert positional.reason.startswith("bias=False not provided: Linear(3, 5, bias=False) raised TypeError")
    fixed = classify("Linear", FixedLinear)
    assert fixed.kind == UNUSABLE and "does not build the sizes it is given" in fixed.reason
    assert "has no default sizes" in fixed.reason


class ReorderedMLP(nn.Module):
    """Sizes in another order, one under another name: ``MLP(in_features, out_features, num_hiddens)``."""

    def __init__(self, in_features=20, out_features=10, num_hiddens=256):
        super().__init__()
        self.hidden, self.out = nn.Linear(in_features, num_hiddens), nn.Linear(num_hiddens, out_features)

    def forward(self, x):
        return self.out(F.relu(self.hidden(x)))


class PositionalOnlyLinear(nn.Linear):
    def __init__(self, in_features, out_features, bias=True, /):
        super().__init__(in_features, out_features, bias)


def test_sizes_passed_by_position_say_so_where_the_signature_names_them_elsewhere() -> None:
    """The contract's order is used (it cannot be told which size means which), and the note says
    that the signature names a contract argument at another position: the structure failure that
    follows is then read right."""
    c = classify("MLP", ReorderedMLP)
    assert (c.kind, c.keywords) == (SIZES, False), c
    assert "names out_features at another position" in c.reason, c.reason


def test_a_positional_only_bias_is_passed_by_position() -> None:
    c = classify("Linear", PositionalOnlyLinear)
    assert (c.kind, c.bias, c.bias_by_position) == (SIZES, True, True), c
    code = call_code(load_target({"Linear": PositionalOnlyLinear}), "Linear",
                     {"in_features": 3, "out_features": 2, "bias": False})
    assert code == "target.Linear(3, 2, False)"


def test_a_forwarding_linear_is_checked_at_the_drawn_sizes() -> None:
    report = conformance.run({"Linear": ForwardingLinear}, checks=["linear.forward[float32]", "linear.gradient[float*"],
                             settings=QUICK, quiet=True)
    assert [r.status for r in report.results] == ["passed"] * 4, [r.reason for r in report.results]
    assert not any("fixed sizes" in note for r in report.results for note in r.notes)


def test_building_once_leaves_the_random_state_and_is_cached() -> None:
    built = []

    class Counting(ReadingMLP):
        def __init__(self, **kwargs):
            built.append(kwargs)
            random.random()
            np.random.rand()
            super().__init__(**kwargs)

    torch.manual_seed(5)
    random.seed(5)
    np.random.seed(5)
    before = torch.get_rng_state(), random.getstate(), np.random.get_state()[1].copy()
    target = load_target({"MLP": Counting})
    assert construction(target, "MLP").kind == SIZES
    assert construction(target, "MLP").kind == SIZES
    assert built == [{"in_features": 3, "hidden_features": 5, "out_features": 4}]  # once: the spec's shapes
    assert torch.equal(torch.get_rng_state(), before[0]) and random.getstate() == before[1]
    assert np.array_equal(np.random.get_state()[1], before[2])


def test_building_is_stopped_by_the_call_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    class Hanging(TutorialMLP):
        def __init__(self, **kwargs):
            while kwargs:
                pass
            super().__init__()

    monkeypatch.setattr(timeouts, "DEFAULT_CALL_TIMEOUT_S", 0.5)
    start = time.monotonic()
    c = classify("MLP", Hanging)
    assert time.monotonic() - start < 5
    assert c.kind == FIXED and "raised TargetTimeout" in c.reason and "did not return within 0.5 s" in c.reason


# -- a --name the module lacks ----------------------------------------------------------------------
def test_a_missing_name_is_refused_from_the_source_before_torch(tmp_path: Path) -> None:
    code = textwrap.dedent(f"""
        import sys, time
        start = time.monotonic()
        from conformance.loading.target import TargetError, refuse_missing_names
        try:
            refuse_missing_names({OTHER_NAMES!r}, {{"Linear": "Dence"}})
        except TargetError as exc:
            print(exc)
        print("torch" in sys.modules, "hypothesis" in sys.modules)
    """)
    done = run("-c", code)
    lines = done.stdout.splitlines()
    assert lines[-1] == "False False", done.stdout + done.stderr
    assert lines[0].startswith("--name Linear=Dence: the target ") and "defines no 'Dence'" in lines[0]
    assert "(did you mean `Dense`?); its nn.Module classes: Dense, Net" in lines[0]


@pytest.mark.parametrize("front", [("-m", "conformance"), ("-m", "pytest", "conformance"),
                                   ("-m", "pytest", "conformance", "-n", "2")], ids=["cli", "pytest", "xdist"])
def test_the_command_line_refuses_a_missing_name_without_importing_torch(front: tuple[str, ...]) -> None:
    start = time.monotonic()
    done = run(*front, "--impl", OTHER_NAMES, "--name", "Linear=Dence", "--name", "MLP=net",
               env={"PYTHONPROFILEIMPORTTIME": "1"})  # every process's imports (xdist workers' too) on stderr
    elapsed = time.monotonic() - start
    assert done.returncode == 4, done.stdout[-2000:] + done.stderr[-2000:]
    output = done.stdout + done.stderr
    errors = [line for line in output.splitlines() if line.startswith("ERROR:")]
    assert len(errors) == 1 and "defines no 'Dence' (did you mean `Dense`?)" in errors[0], errors
    assert "its nn.Module classes: Dense, Net" in errors[0]
    imported = re.findall(r"^import time:.*\|\s*(\S+)$", done.stderr, flags=re.M)
    assert "pytest" in imported or "conformance" in imported, "no PYTHONPROFILEIMPORTTIME output"
    assert not [m for m in imported if m == "torch" or m.startswith("torch.")], "torch was imported"
    print(f"{' '.join(front)}: refused in {elapsed:.2f} s")  # measured: ~1 s (CLI) on a quiet machine


def test_the_api_refuses_a_missing_name_with_the_nearest() -> None:
    with pytest.raises(TargetError, match=r"run\(names=\.\.\.\) Linear=Dence: .*did you mean `Dense`\?"):
        conformance.run(OTHER_NAMES, names={"Linear": "Dence"})
    with pytest.raises(conformance.UsageError, match=r"MLP=net: .*did you mean `Net`\?"):
        conformance.parametrize_with_checks(OTHER_NAMES, names={"MLP": "net"})


def test_an_imported_module_gets_the_nearest_name_too() -> None:
    module = type(sys)("blocks_in_memory")
    module.Dense, module.Net, module.helper = Dense, TutorialMLP, 3
    with pytest.raises(TargetError, match=r"defines no 'Dence' \(did you mean `Dense`\?\); its nn.Module classes: "
                                          r"Dense, Net"):
        load_target(module, names={"Linear": "Dence"})


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def test_reading_the_source_sees_what_the_module_binds(tmp_path: Path) -> None:
    path = write(tmp_path / "blocks.py", """
        import torch.nn as nn
        from torch.nn import Module as Base
        try:
            from fast_blocks import Fast
        except ImportError as missing:
            class Fast(Base):
                pass
        if True:
            Twin = Fast
        for Looped in range(1):
            pass
        with open(__file__) as Handle:
            pass
        chimera = nn.Sequential()
        class Dense(nn.Module):
            def __init__(self):
                inside = 1
        class Deeper(Dense):
            pass
        class Plain:
            pass
        def make():
            global Made
            Made = 1
    """)
    found = read_names(str(path))
    assert found is not None
    for name in ("Fast", "missing", "Twin", "Looped", "Handle", "chimera", "Dense", "Deeper", "Plain", "Made", "nn",
                 "Base", "make", "__file__"):
        assert name in found.names, name
    assert "inside" not in found.names
    assert found.modules == ("Fast", "Dense", "Deeper")
    assert found.nearest("dense")[0] == "Dense" and found.nearest("Dence")[0] == "Dense"
    assert found.nearest("Chimera")[0] == "chimera"


@pytest.mark.parametrize("source", ["from blocks_base import *\n", "globals()['Dense'] = object\n",
                                    "def __getattr__(name):\n    return object\n",
                                    "import sys\nsetattr(sys.modules[__name__], 'Dense', 1)\n",
                                    "exec('Dense = 1')\n", "def f(:\n"])
def test_reading_says_nothing_where_the_source_cannot_tell(tmp_path: Path, source: str) -> None:
    path = write(tmp_path / "dynamic.py", source)
    assert read_names(str(path)) is None
    refuse_missing_names(str(path), {"Linear": "Dense"})  # silent: the import decides


def test_a_module_on_sys_path_is_read_without_importing_its_package(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "unimportable_pkg" / "__init__.py", "raise RuntimeError('imported')\n")
    write(tmp_path / "unimportable_pkg" / "blocks.py", "class Dense:\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert source_file("unimportable_pkg.blocks", BUILTIN_TARGETS) == str(tmp_path / "unimportable_pkg" / "blocks.py")
    with pytest.raises(TargetError, match="defines no 'Dence' .did you mean `Dense`"):
        refuse_missing_names("unimportable_pkg.blocks", {"Linear": "Dence"})
    assert "unimportable_pkg" not in sys.modules
    assert source_file("tutorial", BUILTIN_TARGETS).endswith("tutorial_blocks.py")
    refuse_missing_names("tutorial", {"Chimera": "chimera"})
    with pytest.raises(TargetError, match="did you mean `chimera`"):
        refuse_missing_names("tutorial", {"Chimera": "Chimera"})


# -- -k by the target's own names -------------------------------------------------------------------
def test_a_keyword_that_is_their_own_name_selects_the_contract_names_ids() -> None:
    names = {"Linear": "Dense", "MLP": "Net", "Sequential": "Sequential"}
    assert own_names_keyword("dense", names) == "[linear."
    assert own_names_keyword("Dense and not forward", names) == "[linear. and not forward"
    assert own_names_keyword("(NET or dense.structure)", names) == "([mlp. or [linear.structure)"
    assert own_names_keyword("dense", names, several=True) == ":linear."
    assert own_names_keyword("densely or sequential", names) == "densely or sequential"  # not a name; a block's
    assert own_names_keyword("dense", {}) == "dense"
    message = keyword_error("dense and relu", ["linear.forward", "relu.forward"], names)
    assert "'dense' selects `linear`'s checks (ids use the contract's names; Dense is checked as `linear`" in message
    assert "did you mean `Dense`" in keyword_error("dnese", ["linear.forward"], names)
    assert "did you mean `linear`" in keyword_error("linaer", ["linear.forward"], names)


def test_pytest_k_by_their_own_name_selects_the_contract_names_checks() -> None:
    done = run("-m", "pytest", "conformance", "--impl", OTHER_NAMES, "--name", "Linear=Dense", "-k", "dense",
               "--collect-only", "-q")
    ids = re.findall(r"\[(\S+)\]$", done.stdout, flags=re.M)
    assert done.returncode == 0 and ids, done.stdout[-2000:]
    assert all(i.startswith("linear.") for i in ids) and "linear.structure" in ids, ids
    plain = run("-m", "pytest", "conformance", "--impl", OTHER_NAMES, "-k", "dense", "--collect-only", "-q")
    assert plain.returncode != 0 and "linear." not in plain.stdout  # without --name, no id has "dense"


def test_cli_k_by_their_own_name_runs_those_checks_and_a_typo_is_still_an_error() -> None:
    done = run("-m", "conformance", "--impl", OTHER_NAMES, "--name", "Linear=Dense", "-k", "Dense and structure",
               "--hypothesis-seed=1")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout and "linear " in done.stdout, done.stdout[-2000:]
    typo = run("-m", "conformance", "--impl", OTHER_NAMES, "--name", "Linear=Dense", "-k", "Dnese")
    errors = [line for line in (typo.stdout + typo.stderr).splitlines() if line.startswith("ERROR:")]
    assert typo.returncode == 4 and len(errors) == 1 and "-k 'Dnese' selects no check" in errors[0], errors
    assert "did you mean `Dense`" in errors[0]


# -- the header of a user's parametrize_with_checks -------------------------------------------------
@pytest.mark.parametrize("layout", [["-p", "no:xdist"], ["-n", "2"]], ids=["serial", "xdist"])
def test_parametrize_with_checks_header_names_the_users_module(tmp_path: Path, layout: list[str]) -> None:
    write(tmp_path / "mypkg" / "__init__.py", "")
    (tmp_path / "mypkg" / "blocks.py").write_text(Path(OTHER_NAMES).read_text())
    write(tmp_path / "test_mine.py", """
        import conformance
        import mypkg.blocks

        @conformance.parametrize_with_checks(mypkg.blocks, names={"Linear": "Dense"}, checks=["linear.structure"])
        def test_conformance(check):
            check()
    """)
    done = run("-m", "pytest", str(tmp_path / "test_mine.py"), "--rootdir", str(tmp_path), "-p", "no:cacheprovider",
               *layout, env={"PYTHONPATH": str(tmp_path)})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    headers = [line for line in unfold(done.stdout.splitlines())
               if line.startswith(f"conformance {conformance.__version__}:")]
    assert len(headers) == 1, done.stdout[-3000:]
    assert headers[0].startswith(f"conformance {conformance.__version__}: target 'mypkg.blocks' (") and \
        "provides Linear" in headers[0], headers
    assert "target 'torch'" not in done.stdout
    assert "hypothesis seed none (derandomized profile" in done.stdout  # CI=1: the ci profile


def test_the_parametrize_header_states_the_seed_its_checks_use() -> None:
    def bound(**kwargs):
        mark = conformance.parametrize_with_checks(OTHER_NAMES, names={"Linear": "Dense"},
                                                   checks=["linear.structure"], **kwargs)
        return mark.args[1][0].values[0]

    folded = bound(seed=7, max_examples=3).header("dev", None)
    assert all(len(line) <= 100 for line in folded)
    lines = unfold(folded)
    assert len(lines) == 3 and lines[0].startswith(f"conformance {conformance.__version__}: target {OTHER_NAMES!r} (")
    assert "(3 examples per check)" in lines[1]
    assert lines[2] == "conformance: hypothesis seed 7 (replay: parametrize_with_checks(..., seed=7))"
    assert unfold(bound().header("dev", "5"))[2] == "conformance: hypothesis seed 5 (replay: --hypothesis-seed=5)"
    assert "seed none (Hypothesis draws a new one per test" in unfold(bound().header("dev", None))[2]
    assert "seed none (derandomized profile" in unfold(bound(profile="ci").header("dev", None))[2]

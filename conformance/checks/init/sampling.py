"""How an init check draws and judges a sample: samplers, sample groups and designs, the runner that calls the
target, and the check itself (exact properties by Hypothesis, then one statistical assessment per group)."""

from __future__ import annotations

import ast
import contextlib
import math
import textwrap
import traceback
import warnings
import zlib
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import torch
from hypothesis import given, reject
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from conformance.checks.common import call_target
from conformance.core.context import CheckContext
from conformance.core.failures import CheckFailure, NotChecked, failure
from conformance.core.registry import Check
from conformance.drawing.examples import namespace as block_namespace
from conformance.drawing.examples import seeded, sized
from conformance.drawing.strategies import SEEDS
from conformance.judging.statistics import ALPHA_CHECK, assess, describe_sample, n_tests
from conformance.loading.construction import FIXED, INSTANCE, SIGNATURES, call_code, construction
from conformance.loading.wrappers import COMPUTING, unwrap, wrappers
from reference import distributions as D

#: The drawn group pools the values of at most this many drawn examples (those with distinct seeds).
DRAWN_CAP = 50
#: Slack of an exact support bound, relative to the bound: the bound rounded to float32, the value
#: rounded again by ``low + (high - low) * u`` in float32, a few ulps in all.
SUPPORT_RTOL = 8 * float(np.finfo(np.float32).eps)

Case = tuple  # the values of a sampler's ``case_vars``, in order; repr() must be valid Python


# -- global state ------------------------------------------------------------------------------------
@contextlib.contextmanager
def preserved_state() -> Iterator[None]:
    """Restore grad mode and the default dtype, whatever the target does to them (torch's RNG is
    restored by ``seeded``), and keep the target's warnings (zero-element init) off the output."""
    grad, dtype = torch.is_grad_enabled(), torch.get_default_dtype()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        torch.set_grad_enabled(grad)
        torch.set_default_dtype(dtype)


# -- samplers: how one repetition draws values -------------------------------------------------------
@dataclass(frozen=True)
class Sampler:
    """One repetition of a check: ``body`` (Python, run with the case's variables bound; it also
    appears verbatim in reproduction snippets) constructs a block or calls an init function and leaves
    ``parts``, a dict of standardized value arrays. ``verify`` returns the problem with the objects the
    body left, if any (exact properties besides the support)."""

    what: str                                   # "Linear", "init.function[normal_]": names the compiled body
    law: str                                    # the specified law, in words
    case_vars: tuple[str, ...]
    body: str
    dist: D.Distribution                        # the law of the standardized values
    dist_code: str                              # the same, as Python over ``D``
    describe: Callable[[Case], str]
    show: str                                   # a print() for a snippet that reproduces an exact failure
    prelude: str = ""                           # run once before seeding (recipe definitions)
    verify: Callable[[dict, Case], str | None] = lambda ns, case: None
    rtol: Callable[[Case], float] = lambda case: SUPPORT_RTOL
    #: How a failure names the call that raised: the body's statement starting with ``call`` is the
    #: call ``describe`` names ("" : every statement is); ``step(statement, case)`` names another (None:
    #: the statement itself, with its comment).
    call: str = ""
    step: Callable[[str, Case], str | None] = lambda statement, case: None
    #: The structure check that fails when the body cannot read the block's tensors as the spec lays
    #: them out (a ``weight`` that is a method, no ``bias``): the sample is then not judged ("": never).
    layout: str = ""
    compiled: Any = field(default=None, compare=False)

    def code(self) -> Any:
        if self.compiled is None:
            object.__setattr__(self, "compiled", compile(self.body, f"<{self.what}>", "exec"))
        return self.compiled

    def statement(self, exc: BaseException) -> str | None:
        """The body's top-level statement that ``exc`` was raised in (its source, comment included)."""
        filename = f"<{self.what}>"
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
        if not frames:
            return None
        line = frames[0].lineno or 0
        lines = self.body.splitlines()
        for node in ast.parse(self.body).body:
            if node.lineno <= line <= (node.end_lineno or node.lineno):
                return "\n".join(lines[node.lineno - 1:node.end_lineno])
        return None

    def label(self, statement: str, case: Case) -> str:
        """How a failure names ``statement`` of the body."""
        if statement.startswith(self.call):
            return self.describe(case)
        named = self.step(statement, case)
        if named is not None:
            return named
        code, _, comment = statement.splitlines()[0].partition("  # ")
        return f"`{code.strip()}`" + (f" ({comment.strip()})" if comment else "")

    def unreadable(self, exc: BaseException, statement: str | None) -> bool:
        """``exc`` is the suite's code failing on the block's tensors (an attribute that is no tensor,
        or missing): raised by the body's own code reading them (not by the call ``describe`` names,
        whose errors are the target's), or by a recipe's code (``prelude``) or the torch functions it
        calls on them, with no frame of the target's in between."""
        from conformance.core.framing import target_frame

        if not self.layout or statement is None or not isinstance(exc, (AttributeError, TypeError)):
            return False
        frames = traceback.extract_tb(exc.__traceback__)
        own = target_frame(exc)
        if own is not None and own.filename == PRELUDE:
            return True
        return not statement.startswith(self.call) and bool(frames) and frames[-1].filename == f"<{self.what}>"


#: The file name a sampler's ``prelude`` (the tutorial's recipes) runs under.
PRELUDE = "<recipes>"


class Unreadable(BaseException):
    """The body could not read the block's tensors (``Sampler.unreadable``): not the target's call
    failing (a BaseException, so the per-call guard lets it through to ``InitRunner.sample``)."""


@dataclass(frozen=True)
class Group:
    """Values the statistical part assesses as one i.i.d. sample: ``parts`` of the repetitions of
    ``entries`` ((case, torch seed, repetitions) each)."""

    label: str
    entries: tuple[tuple[Case, int, int], ...]
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Design:
    """A fixed case, repeated ``reps`` times after one seed; each named part is its own group."""

    case: Case
    reps: int
    parts: tuple[str, ...]
    why: str = ""


def _unpack(names: Sequence[str]) -> str:
    return "(" + ", ".join(names) + ("," if len(names) == 1 else "") + ")"


class InitRunner:
    """Runs a sampler's repetitions against the target under the per-call time limit and turns what
    goes wrong into a failure with a reproduction snippet."""

    def __init__(self, ctx: CheckContext, check: Check, sampler: Sampler) -> None:
        self.ctx, self.check, self.sampler = ctx, check, sampler
        self.base: dict[str, Any] = {**block_namespace(ctx.target), "np": np, "D": D,
                                     "init": ctx.target.namespace.get("init"), "sized": sized, "unwrap": unwrap}
        if sampler.prelude:
            with seeded(0, ctx.device), preserved_state():
                self.call("the recipe definitions",
                          lambda: exec(compile(sampler.prelude, PRELUDE, "exec"), self.base))  # noqa: S102

    # -- failures ----------------------------------------------------------------------------------
    def snippet(self, entries: Sequence[tuple[Case, int, int]], parts: Sequence[str], tail: str) -> str:
        s = self.sampler
        lines = ["import copy", "import numpy as np", "import torch", "from torch import nn",
                 "from conformance.drawing.examples import sized", "from conformance.loading.wrappers import unwrap",
                 "from conformance.loading.builders import rgnet, torch_leaves",
                 "from conformance.judging.statistics import assess",
                 "from conformance.loading.target import load_target", "from reference import distributions as D",
                 f"target = {self.ctx.target.load_code()}"]
        if self.ctx.target.provides("init"):
            lines.append("init = target.init")
        if s.prelude:
            lines.append(s.prelude.strip("\n"))
        lines += ["values = []",
                  f"for {_unpack(s.case_vars)}, seed, reps in {list(entries)!r}:",
                  "    torch.manual_seed(seed)",
                  "    for _ in range(reps):",
                  textwrap.indent(s.body.strip("\n"), " " * 8),
                  f"        values += [parts[name] for name in {tuple(parts)!r} if name in parts]",
                  tail.strip("\n")]
        return "\n".join(lines)

    def failure(self, problem: str, detail: str, example: str, snippet: str, fact: str = "") -> CheckFailure:
        return failure(self.check.id, problem, detail, example, snippet, fact=fact)

    def call(self, what: str, fn: Callable[[], Any], on_error: Callable[[str], CheckFailure] | None = None) -> Any:
        def failure_for(problem: str) -> CheckFailure:
            if "leaf Variable that requires grad" in problem:
                problem += " (torch.nn.init fills tensors under torch.no_grad(), so a leaf that requires grad is fine)"
            return on_error(problem) if on_error else failure(self.check.id, problem)

        return call_target(self.ctx.call_timeout, what, fn, failure_for)

    def run_body(self, case: Case, code: Any, ns: dict, on_error: Callable[[str], CheckFailure]) -> None:
        """Run the body under the per-call guard. A failure names the statement that raised (the
        target's call that ``describe`` names, the forward after a recipe, ...); the body failing to
        read the block's tensors leaves the sample unjudged (see ``Sampler.layout``)."""
        s, described = self.sampler, self.sampler.describe(case)
        raised: list[str | None] = []

        def body() -> None:
            try:
                exec(code, ns)  # noqa: S102
            except Exception as exc:
                statement = s.statement(exc)
                if s.unreadable(exc, statement):
                    assert statement is not None  # unreadable() says so
                    raise Unreadable(f"the block's parameters do not match the spec's layout: "
                                     f"{s.label(statement, case)} raised {type(exc).__name__}: {exc}") from exc
                raised.append(statement)
                raise

        def at_statement(problem: str) -> CheckFailure:
            statement = raised[-1] if raised else None
            if statement is not None and problem.startswith(described):
                problem = s.label(statement, case) + problem[len(described):]
            return on_error(problem)

        try:
            self.call(described, body, at_statement)
        except Unreadable as exc:
            if currently_in_test_context():
                self.ctx.cannot_judge(str(exc), s.layout)
                reject()
            raise NotChecked(str(exc), s.layout) from None

    def note_computed(self, net: Any) -> None:
        """Say so when a recipe's net holds Linears whose weight is computed from other tensors
        (parametrized, weight- or spectral-normed, pruned): a recipe writing ``m.weight`` writes a
        tensor the next forward recomputes, and the weights that forward uses are what is judged."""
        if not isinstance(net, torch.nn.Module):
            return
        kinds = sorted({w.kind for w in wrappers(net) if w.kind in COMPUTING})
        if kinds:
            self.ctx.note(f"{self.check.id}: the net's Linears are {', '.join(kinds)} (their weight is computed from "
                          "other tensors): what the recipe writes through m.weight is not what the next forward "
                          "uses, and the weights that forward uses are judged")

    # -- sampling ----------------------------------------------------------------------------------
    def sample(self, case: Case, seed: int, reps: int, label: str) -> dict[str, list[np.ndarray]]:
        """Run ``reps`` repetitions of ``case`` after seeding torch with ``seed``; assert the exact
        properties of each; return the standardized values by part."""
        s = self.sampler
        ns = dict(self.base)
        ns.update(zip(s.case_vars, case, strict=True))
        out: dict[str, list[np.ndarray]] = {}
        code = s.code()
        rtol = s.rtol(case)

        def example(rep: int) -> str:
            return (f"{s.describe(case)}, repetition {rep + 1} of {reps} after torch.manual_seed({seed})"
                    f" ({label})")

        with seeded(seed, self.ctx.device), preserved_state():
            for rep in range(reps):
                def on_error(problem: str, rep: int = rep) -> CheckFailure:
                    return self.failure(problem, "", example(rep),
                                        self.snippet([(case, seed, rep + 1)], (), "# (the last repetition raises)"))

                self.run_body(case, code, ns, on_error)
                if rep == 0 and s.prelude:
                    self.note_computed(ns.get("net"))
                problem = s.verify(ns, case)
                parts = ns.get("parts", {})
                if problem is None:
                    for name, z in parts.items():
                        inside = s.dist.contains(z, rtol)
                        if not bool(np.all(inside)):
                            bad = np.asarray(z)[~inside]
                            problem = (f"{name}: {bad.size} of {np.size(z)} values outside the support of "
                                       f"{s.law} (standardized: {s.dist}), e.g. {float(bad[0])!r} "
                                       f"(standardized)")
                            break
                if problem is not None:
                    raise self.failure(problem, "", example(rep),
                                       self.snippet([(case, seed, rep + 1)], (), s.show))
                for name, z in parts.items():
                    out.setdefault(name, []).append(np.asarray(z, dtype=np.float64).ravel())
        return out


# -- the statistical check -----------------------------------------------------------------------------
def stat_seed(seeds: Sequence[int], i: int, used: set[int]) -> int:
    """The torch seed of design group ``i``: a hash of the seeds Hypothesis drew (so it replays with
    them), distinct from every seed already used."""
    seed = zlib.crc32(repr((list(seeds), i)).encode()) % 2**32
    while seed in used:
        seed = (seed + 1) % 2**32
    return seed


def n_groups(design: Sequence[Design]) -> int:
    """Design groups (one per part of each case) plus the drawn group."""
    return sum(len(d.parts) for d in design) + 1


def group_alpha(design: Sequence[Design]) -> float:
    return ALPHA_CHECK / n_groups(design)


class Sym(str):
    """A variable's name, written into generated code as the name itself (not a string literal)."""

    def __repr__(self) -> str:
        return str(self)


#: Default-init samplers: contract name -> (case variable of each constructor argument, the input width's).
DEFAULT_INIT = {"Linear": ({"in_features": "n_in", "out_features": "n_out", "bias": "bias"}, "n_in"),
                "MyLinear": ({"in_units": "in_units", "units": "units"}, "in_units"),
                "FixedHiddenMLP": ({"features": "features"}, "features")}


def for_target(ctx: CheckContext, sampler: Sampler, draw_case: Callable[[st.DataObject], Case],
               design: Sequence[Design]) -> tuple[Sampler, Callable[[st.DataObject], Case], Sequence[Design],
                                                  Callable[[Case], Case]]:
    """A default-init sampler as the target's constructor takes it: its own call (positional or by
    name, without ``bias`` where it has none), sized if lazy; only the spec's default sizes for a
    fixed-size block (and how a case is adapted so). An instance cannot be constructed afresh: *not
    checked*."""
    if sampler.what not in DEFAULT_INIT:
        return sampler, draw_case, design, lambda case: case
    name = sampler.what
    c = construction(ctx.target, name)
    if c.kind == INSTANCE:
        raise NotChecked(f"{name} is an instance ({ctx.target.names.get(name, name)}): default init is a property "
                         "of fresh constructions")
    variables, width = DEFAULT_INIT[name]
    call = call_code(ctx.target, name, {k: Sym(v) for k, v in variables.items()})
    first, rest = sampler.body.split("\n", 1)
    body = f"block = sized({call}, {width})\n{rest}"
    keys = list(variables)

    def describe(case: Case) -> str:
        return call_code(ctx.target, name, dict(zip(keys, case, strict=True)))

    fixed = SIGNATURES[name][2] if c.kind == FIXED else None
    bias_fixed = name == "Linear" and not c.bias

    def adapt(case: Case) -> Case:
        if fixed is not None:
            case = tuple(fixed.get(k, v) for k, v in zip(keys, case, strict=True))
        if bias_fixed:
            case = case[:2] + (True,)
        return case

    adapted = replace(sampler, body=body, describe=describe, compiled=None)
    kept = [d for d in design if adapt(d.case) == d.case]
    return (adapted, lambda data: adapt(draw_case(data)), kept or [replace(design[0], case=adapt(design[0].case))],
            adapt)


def run_init_check(ctx: CheckContext, check: Check, sampler: Sampler, draw_case: Callable[[st.DataObject], Case],
                   design: Sequence[Design] = (), extra: Callable[[InitRunner, st.DataObject], None] | None = None,
                   statistical: bool = True, anchors: Sequence[tuple[str, Case]] = ()) -> None:
    """The Hypothesis property (exact properties over drawn cases, and the drawn group), the anchor
    cases, then one ``assess`` per group. ``anchors``: (name, case) of the contract's edges, each
    judged once (its exact properties) in every profile, after the draw (a failure the draw finds is
    shrunk), under a torch seed fixed by its name; one the target cannot take (a fixed-size block's
    other sizes) is skipped."""
    sampler, draw_case, design, adapt = for_target(ctx, sampler, draw_case, design)
    runner = InitRunner(ctx, check, sampler)
    drawn: list[tuple[Case, int, int]] = []
    drawn_values: list[np.ndarray] = []
    seeds: list[int] = []

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def exact_properties(data: st.DataObject) -> None:
        case = draw_case(data)
        seed = data.draw(SEEDS, label="torch seed")
        parts = runner.sample(case, seed, 1, "a drawn example")
        if extra is not None:
            extra(runner, data)
        seeds.append(seed)
        if statistical and len(drawn) < DRAWN_CAP and seed not in {e[1] for e in drawn}:
            drawn.append((case, seed, 1))
            drawn_values.extend(v for values in parts.values() for v in values)

    exact_properties()
    for name, case in anchors:
        if adapt(case) == case:
            runner.sample(case, zlib.crc32(name.encode()), 1, f"anchor case {name}, run in every profile")
    if not statistical:
        return
    alpha = group_alpha(design)
    used = {e[1] for e in drawn}
    groups: list[tuple[Group, np.ndarray]] = []
    repeated: set[str] = set()  # groups whose constructions all gave the same values
    for i, d in enumerate(design):
        seed = stat_seed(seeds, i, used)
        used.add(seed)
        parts = runner.sample(d.case, seed, d.reps, f"design case {i + 1}")
        for name in d.parts:
            arrays = parts.get(name, [np.zeros(0)])
            values = np.concatenate(arrays)
            label = ("values" if name == "values" else f"{name} values") + f" of {sampler.describe(d.case)}"
            if len(arrays) > 1 and arrays[0].size and all(np.array_equal(a, arrays[0]) for a in arrays[1:]):
                repeated.add(label)
            groups.append((Group(label, ((d.case, seed, d.reps),), (name,)), values))
    all_parts = tuple(dict.fromkeys(p for d in design for p in d.parts)) or ("values",)
    groups.append((Group(f"values of the first {len(drawn)} drawn examples (distinct seeds)", tuple(drawn), all_parts),
                   np.concatenate(drawn_values) if drawn_values else np.zeros(0)))
    for group, values in groups:
        rtol = max([sampler.rtol(e[0]) for e in group.entries] + [0.0])
        verdict = assess(values, sampler.dist, alpha, rtol)
        if verdict is None:
            continue
        tests = n_tests(sampler.dist)
        detail = (f"{verdict}\n"
                  f"sample: {describe_sample(values)}; reference {sampler.dist}: mean {sampler.dist.mean:.6g}, "
                  f"std {math.sqrt(sampler.dist.var):.6g}\n"
                  f"threshold: alpha {ALPHA_CHECK:g} for the check / {n_groups(design)} sample groups / "
                  f"{tests} tests = {alpha / max(tests, 1):.3g} (a correct implementation fails this check "
                  f"with probability <= {ALPHA_CHECK:g})")
        tail = (f"sample = np.concatenate(values)\n"
                f"print(assess(sample, {sampler.dist_code}, alpha={alpha!r}, rtol={rtol!r}) or 'passes')")
        fact = ""
        if group.label in repeated:  # the cause, said first: not a law off, but no randomness at all
            fact = f"all {group.entries[0][2]} constructions identical"
            detail = (f"every one of the {group.entries[0][2]} constructions gave the same values (a generator "
                      "reseeded or private to the block, not torch's global one)\n" + detail)
        raise runner.failure(f"the {group.label} do not follow {sampler.law}", detail,
                             f"{len(group.entries)} case(s) (case, torch seed, repetitions): "
                             + _short(group.entries), runner.snippet(group.entries, group.parts, tail), fact=fact)


def _short(entries: Sequence[tuple[Case, int, int]]) -> str:
    text = repr(list(entries))
    return text if len(text) < 400 else text[:400] + " ..."

"""Initialization checks: default init of Linear, MyLinear and FixedHiddenMLP's ``rand_weight``; the
target's ``init`` namespace; the tutorial's ``Module.apply`` recipes; ``apply``'s traversal; and
reproducible construction.

Each statistical check has two parts (``docs/init_statistics.md`` gives the design and arithmetic):

1. A Hypothesis property over drawn shapes, arguments, dtypes and torch seeds asserting what holds
   exactly: every value inside the support (up to the rounding of the bound to the dtype), zeros and
   constants, in place / returns its tensor / no autograd history, fan rules and ``ValueError``. A
   failure here shrinks to a minimal example, like every other check's.
2. After the property has run, ONE statistical assessment per sample group (``conformance.judging.statistics.
   assess``): a fixed *design* of cases chosen to have power (non-square shapes for fans and bounds,
   receptive fields, gains and stds other than 1, small tensors pooled over many fresh constructions),
   plus one group pooling the values of the first ``DRAWN_CAP`` drawn examples (distinct seeds). The
   number of tests is fixed, whatever the profile: each statistical check spends ALPHA_CHECK = 1e-5,
   split evenly over its groups (and, inside ``assess``, over its tests).

The design's torch seeds derive from the seeds Hypothesis drew, so a run replays with its Hypothesis
seed, and non-derandomized runs test fresh samples. Every failure prints a snippet that rebuilds the
rejected sample from the target and reruns ``assess`` on it.
"""

from __future__ import annotations

import contextlib
import math
import textwrap
import warnings
import zlib
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from conformance.checks.common import bit_identical, call_target
from conformance.core.context import CheckContext
from conformance.core.failures import CheckFailure, NotChecked, failure
from conformance.core.registry import Check
from conformance.drawing.blocks import TUTORIAL_OR_WIDTH, BlockSpec, leaf_call
from conformance.drawing.examples import is_lazy, seeded, sized
from conformance.drawing.examples import namespace as block_namespace
from conformance.drawing.strategies import OUT_WIDTHS, SEEDS, WIDTH_VALUES, WIDTHS, out_width
from conformance.judging.statistics import ALPHA_CHECK, assess, describe_sample, n_tests
from conformance.loading.builders import leaf
from conformance.loading.construction import FIXED, INSTANCE, SIGNATURES, call_code, construction
from conformance.loading.wrappers import unwrap
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
    compiled: Any = field(default=None, compare=False)

    def code(self) -> Any:
        if self.compiled is None:
            object.__setattr__(self, "compiled", compile(self.body, f"<{self.what}>", "exec"))
        return self.compiled


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
                self.call("the recipe definitions", lambda: exec(sampler.prelude, self.base))  # noqa: S102

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

    def failure(self, problem: str, detail: str, example: str, snippet: str) -> CheckFailure:
        return failure(self.check.id, problem, detail, example, snippet)

    def call(self, what: str, fn: Callable[[], Any], on_error: Callable[[str], CheckFailure] | None = None) -> Any:
        def failure_for(problem: str) -> CheckFailure:
            if "leaf Variable that requires grad" in problem:
                problem += " (torch.nn.init fills tensors under torch.no_grad(), so a leaf that requires grad is fine)"
            return on_error(problem) if on_error else failure(self.check.id, problem)

        return call_target(self.ctx.call_timeout, what, fn, failure_for)

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

                self.call(s.describe(case), lambda: exec(code, ns), on_error)  # noqa: S102
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
               design: Sequence[Design]) -> tuple[Sampler, Callable[[st.DataObject], Case], Sequence[Design]]:
    """A default-init sampler as the target's constructor takes it: its own call (positional or by
    name, without ``bias`` where it has none), sized if lazy; only the spec's default sizes for a
    fixed-size block. An instance cannot be constructed afresh: *not checked*."""
    if sampler.what not in DEFAULT_INIT:
        return sampler, draw_case, design
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
    return adapted, lambda data: adapt(draw_case(data)), kept or [replace(design[0], case=adapt(design[0].case))]


def run_init_check(ctx: CheckContext, check: Check, sampler: Sampler, draw_case: Callable[[st.DataObject], Case],
                   design: Sequence[Design] = (), extra: Callable[[InitRunner, st.DataObject], None] | None = None,
                   statistical: bool = True) -> None:
    """The Hypothesis property (exact properties over drawn cases, and the drawn group), then one
    ``assess`` per group."""
    sampler, draw_case, design = for_target(ctx, sampler, draw_case, design)
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
    if not statistical:
        return
    alpha = group_alpha(design)
    used = {e[1] for e in drawn}
    groups: list[tuple[Group, np.ndarray]] = []
    for i, d in enumerate(design):
        seed = stat_seed(seeds, i, used)
        used.add(seed)
        parts = runner.sample(d.case, seed, d.reps, f"design case {i + 1}")
        for name in d.parts:
            values = np.concatenate(parts.get(name, [np.zeros(0)]))
            label = ("values" if name == "values" else f"{name} values") + f" of {sampler.describe(d.case)}"
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
        raise runner.failure(f"the {group.label} do not follow {sampler.law}", detail,
                             f"{len(group.entries)} case(s) (case, torch seed, repetitions): "
                             + _short(group.entries), runner.snippet(group.entries, group.parts, tail))


def _short(entries: Sequence[tuple[Case, int, int]]) -> str:
    text = repr(list(entries))
    return text if len(text) < 400 else text[:400] + " ..."


# -- Linear, MyLinear, FixedHiddenMLP: default init --------------------------------------------------
LINEAR_SAMPLER = Sampler(
    what="Linear", law="U(-1/sqrt(in_features), 1/sqrt(in_features)) (bias 0 when in_features == 0)",
    case_vars=("n_in", "n_out", "bias"),
    body="""block = target.Linear(n_in, n_out, bias=bias)
k = D.linear_bound(n_in)
weight = unwrap(block).weight.detach().to('cpu', torch.float64).numpy().ravel()
bias_values = unwrap(block).bias.detach().to('cpu', torch.float64).numpy().ravel() if bias else np.zeros(0)
parts = {'weight': weight / k, 'bias': bias_values / k} if k > 0 else {}
""",
    dist=D.Uniform(-1.0, 1.0), dist_code="D.Uniform(-1.0, 1.0)",
    describe=lambda c: f"target.Linear({c[0]}, {c[1]}, bias={c[2]})",
    show="print('weight / bound:', weight / (k or 1), 'bias / bound:', bias_values / (k or 1), 'bound:', k)",
    verify=lambda ns, c: (None if ns["k"] > 0 or not np.any(ns["bias_values"])
                          else f"with in_features == 0 the bias must be 0 (bound 0); got {ns['bias_values'][:5]}"),
)

#: Linear: in < out and in > out (a bound from out_features is then too small, or too large), and the
#: tutorial's 20 -> 256. Weight and bias are separate groups (a wrong bias bound is its own defect).
LINEAR_DESIGN = (
    Design((3, 8, True), 500, ("weight", "bias"), "in < out: a bound from out_features is 0.61x"),
    Design((8, 3, True), 1000, ("weight", "bias"), "in > out: a bound from out_features is 1.63x"),
    Design((20, 256, True), 16, ("weight", "bias"), "the tutorial's MLP hidden layer"),
)


#: (in, out, bias); in_features == 0 included: bias bound 0.
LINEAR_CASES = st.tuples(st.sampled_from(WIDTH_VALUES + (0,)), OUT_WIDTHS, st.booleans()).map(
    lambda t: (t[0], out_width(t[1], max(t[0], 1)), t[2]))


def check_linear_init(ctx: CheckContext, check: Check) -> None:
    """Linear(in, out)'s weight and bias: i.i.d. U(-1/sqrt(in), 1/sqrt(in)); bias 0 when in == 0."""
    run_init_check(ctx, check, LINEAR_SAMPLER, lambda data: data.draw(LINEAR_CASES, label="Linear(in, out, bias)"),
                   LINEAR_DESIGN)


MYLINEAR_SAMPLER = Sampler(
    what="MyLinear", law="N(0, 1)", case_vars=("in_units", "units"),
    body="""block = target.MyLinear(in_units, units)
parts = {'weight': unwrap(block).weight.detach().to('cpu', torch.float64).numpy().ravel(),
         'bias': unwrap(block).bias.detach().to('cpu', torch.float64).numpy().ravel()}
""",
    dist=D.Normal(0.0, 1.0), dist_code="D.Normal(0.0, 1.0)",
    describe=lambda c: f"target.MyLinear({c[0]}, {c[1]})", show="print(parts)",
)

MYLINEAR_DESIGN = (
    Design((2, 256), 80, ("weight", "bias"), "weight 40960, bias 20480 values"),
    Design((3, 2), 1000, ("weight", "bias"), "a small block, many constructions"),
)


MYLINEAR_CASES = st.tuples(WIDTHS, OUT_WIDTHS).map(lambda t: (t[0], out_width(t[1], t[0])))


def check_mylinear_init(ctx: CheckContext, check: Check) -> None:
    """MyLinear(in_units, units)'s weight and bias: i.i.d. N(0, 1)."""
    run_init_check(ctx, check, MYLINEAR_SAMPLER,
                   lambda data: data.draw(MYLINEAR_CASES, label="MyLinear(in_units, units)"),
                   MYLINEAR_DESIGN)


RAND_WEIGHT_SAMPLER = Sampler(
    what="FixedHiddenMLP", law="U[0, 1) (torch.rand)", case_vars=("features",),
    body="""block = target.FixedHiddenMLP(features=features)
parts = {'rand_weight': 2 * block.rand_weight.detach().to('cpu', torch.float64).numpy().ravel() - 1}
""",
    dist=D.Uniform(-1.0, 1.0, closed=False), dist_code="D.Uniform(-1.0, 1.0, closed=False)",
    describe=lambda c: f"target.FixedHiddenMLP(features={c[0]})", show="print(block.rand_weight)",
)

RAND_WEIGHT_DESIGN = (
    Design((20,), 150, ("rand_weight",), "the tutorial's size (60000 values: KS sees a shape 0.02 off)"),
    Design((3,), 500, ("rand_weight",), "a small block, many constructions"),
)


def check_rand_weight(ctx: CheckContext, check: Check) -> None:
    """FixedHiddenMLP's rand_weight (read as an attribute, buffer or not): i.i.d. U[0, 1)."""
    run_init_check(ctx, check, RAND_WEIGHT_SAMPLER,
                   lambda data: (data.draw(TUTORIAL_OR_WIDTH, label="features"),), RAND_WEIGHT_DESIGN)


# -- the init namespace ---------------------------------------------------------------------------------
FILL_SETUP = """t = torch.full(shape, float('nan'), dtype=dtype, requires_grad=requires_grad)
ptr = t.data_ptr()
"""
FILL_SHOW = "print('returned t itself:', r is t, '| grad_fn:', t.grad_fn, '| leaf:', t.is_leaf, '| values:', t)"


def verify_fill(ns: dict, case: Case) -> str | None:
    """In place, returns its tensor, records no history, keeps shape/dtype/requires_grad."""
    shape, dtype, requires_grad = case[0], case[1], case[2]
    t, r = ns["t"], ns["r"]
    if r is not t:
        return (f"returned {type(r).__name__} {getattr(r, 'shape', '')} instead of its argument itself "
                "(torch.nn.init works in place and returns the tensor it was given)")
    if t.grad_fn is not None or not t.is_leaf:
        return f"recorded autograd history on the tensor it filled (grad_fn {t.grad_fn}); it must fill under no_grad"
    if t.requires_grad != requires_grad:
        return f"changed requires_grad from {requires_grad} to {t.requires_grad}"
    if tuple(t.shape) != tuple(shape) or t.dtype != dtype:
        return f"changed the tensor to shape {tuple(t.shape)}, dtype {t.dtype} (given {tuple(shape)}, {dtype})"
    if t.numel() and t.data_ptr() != ns["ptr"]:
        return "replaced the tensor's storage instead of writing into it"
    return None


def fill_rtol(a: float, b: float) -> float:
    half = (b - a) / 2
    return SUPPORT_RTOL * (1 + max(abs(a), abs(b)) / half)


NORMAL_SAMPLER = Sampler(
    what="init.function[normal_]", law="N(mean, std^2)", case_vars=("shape", "dtype", "requires_grad", "mean", "std"),
    body=FILL_SETUP + """r = init.normal_(t, mean, std)
parts = {'values': (t.detach().to('cpu', torch.float64).numpy().ravel() - mean) / std}
""",
    dist=D.Normal(0.0, 1.0), dist_code="D.Normal(0.0, 1.0)",
    describe=lambda c: f"init.normal_(torch.empty({c[0]}, dtype={c[1]}, requires_grad={c[2]}), {c[3]!r}, {c[4]!r})",
    show=FILL_SHOW, verify=verify_fill,
)

NORMAL_DESIGN = (
    Design(((100, 200), torch.float32, False, 0.0, 1.0), 1, ("values",), "defaults, one large tensor"),
    Design(((50, 4, 5), torch.float32, True, -0.5, 0.02), 25, ("values",), "std != 1, mean != 0"),
    Design(((2, 3, 4, 5), torch.float64, True, 3.0, 7.0), 170, ("values",), "float64, 4-D, std > 1"),
    Design(((3,), torch.float32, False, 1.0, 0.5), 1000, ("values",), "a tensor under 16 elements, many calls"),
)

SHAPES_1D_4D = st.lists(st.integers(0, 6), min_size=1, max_size=4).map(tuple)
SHAPES_2D_4D = st.lists(st.integers(1, 6), min_size=2, max_size=4).map(tuple)
FLOAT_DTYPES = st.sampled_from([torch.float32, torch.float64])
STDS = st.sampled_from([1.0, 0.01, 0.5, 3.0, 100.0]) | st.floats(1e-3, 1e3)
#: Means in units of std: |mean| / std <= 50 keeps float32 rounding of mean + std * z far below
#: what the tests can see (|error| of the standardized value < 1e-5).
MEAN_RATIOS = st.sampled_from([0.0, 1.0, -2.5]) | st.floats(-50, 50)


def draw_tensor_args(data: st.DataObject, shapes: st.SearchStrategy = SHAPES_1D_4D) -> tuple:
    return (data.draw(shapes, label="shape"), data.draw(FLOAT_DTYPES, label="dtype"),
            data.draw(st.booleans(), label="requires_grad"))


def draw_normal_case(data: st.DataObject) -> Case:
    std = data.draw(STDS, label="std")
    return draw_tensor_args(data) + (data.draw(MEAN_RATIOS, label="mean / std") * std, std)


def check_normal(ctx: CheckContext, check: Check) -> None:
    """init.normal_(t, mean, std): i.i.d. N(mean, std^2), in place, returns t, no autograd history."""
    run_init_check(ctx, check, NORMAL_SAMPLER, draw_normal_case, NORMAL_DESIGN)


UNIFORM_SAMPLER = Sampler(
    what="init.function[uniform_]", law="U(a, b)", case_vars=("shape", "dtype", "requires_grad", "a", "b"),
    body=FILL_SETUP + """r = init.uniform_(t, a, b)
parts = {'values': D.Uniform(a, b).standardize(t.detach().to('cpu', torch.float64).numpy().ravel())}
""",
    dist=D.Uniform(-1.0, 1.0), dist_code="D.Uniform(-1.0, 1.0)",
    describe=lambda c: f"init.uniform_(torch.empty({c[0]}, dtype={c[1]}, requires_grad={c[2]}), {c[3]!r}, {c[4]!r})",
    show=FILL_SHOW, verify=verify_fill, rtol=lambda c: fill_rtol(c[3], c[4]),
)

UNIFORM_DESIGN = (
    Design(((100, 200), torch.float32, False, 0.0, 1.0), 1, ("values",), "U(0, 1), one large tensor"),
    Design(((50, 4, 5), torch.float32, True, -3.0, 5.0), 10, ("values",), "asymmetric bounds"),
    Design(((2, 3, 4, 5), torch.float64, True, -0.01, 0.01), 40, ("values",), "float64, 4-D, narrow"),
    Design(((3,), torch.float32, False, 2.0, 2.5), 1000, ("values",), "a tiny tensor, many calls"),
)

LOWS = st.sampled_from([0.0, -1.0, -10.0]) | st.floats(-100, 100)
WIDTHS_U = st.sampled_from([1.0, 2.0, 20.0]) | st.floats(1e-2, 1e3)


def draw_uniform_case(data: st.DataObject) -> Case:
    a = data.draw(LOWS, label="a")
    b = a + data.draw(WIDTHS_U, label="b - a")
    assume(b > a and max(abs(a), abs(b)) <= 20 * (b - a))  # float32 rounding stays far below the tests' reach
    return draw_tensor_args(data) + (a, b)


def check_uniform(ctx: CheckContext, check: Check) -> None:
    """init.uniform_(t, a, b): i.i.d. U(a, b), in place, returns t, no autograd history."""
    run_init_check(ctx, check, UNIFORM_SAMPLER, draw_uniform_case, UNIFORM_DESIGN)


XAVIER_SAMPLER = Sampler(
    what="init.function[xavier_uniform_]", law="U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))",
    case_vars=("shape", "dtype", "requires_grad", "gain"),
    body=FILL_SETUP + """r = init.xavier_uniform_(t, gain)
parts = {'values': t.detach().to('cpu', torch.float64).numpy().ravel() / D.xavier_uniform_bound(shape, gain)}
""",
    dist=D.Uniform(-1.0, 1.0), dist_code="D.Uniform(-1.0, 1.0)",
    describe=lambda c: f"init.xavier_uniform_(torch.empty({c[0]}, dtype={c[1]}, requires_grad={c[2]}), {c[3]!r})",
    show=FILL_SHOW + "\nprint('fans (in, out):', D.fans(shape), 'bound:', D.xavier_uniform_bound(shape, gain))",
    verify=verify_fill,
)

#: Fans: fan_out > fan_in and the reverse (a fan taken twice from one dim is off both ways), a 3-D and a
#: 4-D shape (receptive fields 5 and 15; size(-1) != size(1)), gains other than 1, one large tensor.
XAVIER_DESIGN = (
    Design(((8, 3), torch.float32, True, 1.0), 200, ("values",), "fan_out > fan_in"),
    Design(((3, 8), torch.float32, False, 1.0), 200, ("values",), "fan_in > fan_out"),
    Design(((6, 4, 5), torch.float32, False, 1.0), 40, ("values",), "3-D, receptive field 5"),
    Design(((4, 2, 3, 5), torch.float64, True, math.sqrt(2)), 40, ("values",), "4-D, receptive field 15, gain sqrt 2"),
    Design(((5, 7), torch.float32, False, 0.5), 150, ("values",), "gain 0.5"),
    Design(((100, 200), torch.float32, False, 1.0), 2, ("values",), "40000 values: KS sees a shape 0.02 off"),
)

GAINS = st.sampled_from([1.0, math.sqrt(2), 5 / 3, 0.5]) | st.floats(0.1, 10)
LOW_DIM_SHAPES = st.lists(st.integers(0, 6), max_size=1).map(tuple)


def xavier_rejects_low_dims(runner: InitRunner, data: st.DataObject) -> None:
    """Fewer than 2 dims: fans are undefined, so ValueError."""
    shape = data.draw(LOW_DIM_SHAPES, label="a 0-D or 1-D shape")
    init = runner.ctx.target.get("init")
    code = f"init.xavier_uniform_(torch.empty({shape}))"
    snippet = runner.snippet([], (), f"{code}  # must raise ValueError")
    example = f"{code}: a {len(shape)}-D tensor"

    def attempt() -> str | None:
        try:
            init.xavier_uniform_(torch.empty(shape))
        except ValueError:
            return None
        except Exception as exc:  # noqa: BLE001
            return f"raised {type(exc).__name__} ({exc}) for a {len(shape)}-D tensor; the spec says ValueError"
        return f"returned for a {len(shape)}-D tensor, whose fans are undefined; the spec says ValueError"

    with seeded(0, runner.ctx.device), preserved_state():
        problem = runner.call(code, attempt)
    if problem:
        raise runner.failure(problem, "", example, snippet)


def draw_xavier_case(data: st.DataObject) -> Case:
    return draw_tensor_args(data, SHAPES_2D_4D) + (data.draw(GAINS, label="gain"),)


def check_xavier(ctx: CheckContext, check: Check) -> None:
    """init.xavier_uniform_(t, gain): i.i.d. U(-a, a) with torch's fans; ValueError below 2 dims."""
    run_init_check(ctx, check, XAVIER_SAMPLER, draw_xavier_case, XAVIER_DESIGN, extra=xavier_rejects_low_dims)


ZEROS_SAMPLER = Sampler(
    what="init.function[zeros_]", law="the constant 0", case_vars=("shape", "dtype", "requires_grad"),
    body=FILL_SETUP + "r = init.zeros_(t)\n",
    dist=D.PointMass(0.0), dist_code="D.PointMass(0.0)",
    describe=lambda c: f"init.zeros_(torch.empty({c[0]}, dtype={c[1]}, requires_grad={c[2]}))",
    show=FILL_SHOW,
    verify=lambda ns, c: verify_fill(ns, c) or (
        None if bool((ns["t"].detach() == 0).all()) else f"left values other than 0: {ns['t']}"),
)

CONSTANT_SAMPLER = Sampler(
    what="init.function[constant_]", law="the constant val", case_vars=("shape", "dtype", "requires_grad", "val"),
    body=FILL_SETUP + "r = init.constant_(t, val)\n",
    dist=D.PointMass(0.0), dist_code="D.PointMass(0.0)",
    describe=lambda c: f"init.constant_(torch.empty({c[0]}, dtype={c[1]}, requires_grad={c[2]}), {c[3]!r})",
    show=FILL_SHOW,
    verify=lambda ns, c: verify_fill(ns, c) or (
        None if bool((ns["t"].detach() == torch.full_like(ns["t"], c[3]).detach()).all())
        else f"values differ from {c[3]!r} (as {c[1]}): {ns['t']}"),
)

CONSTANTS = st.sampled_from([0.0, 1.0, 42.0, -0.5]) | st.floats(-1e6, 1e6) | st.integers(-100, 100)


def check_zeros(ctx: CheckContext, check: Check) -> None:
    """init.zeros_(t): every entry 0, in place, returns t, no autograd history."""
    run_init_check(ctx, check, ZEROS_SAMPLER, draw_tensor_args, statistical=False)


def check_constant(ctx: CheckContext, check: Check) -> None:
    """init.constant_(t, val): every entry val (in t's dtype), in place, returns t, no autograd history."""
    run_init_check(ctx, check, CONSTANT_SAMPLER, lambda data: draw_tensor_args(data) + (
        data.draw(CONSTANTS, label="val"),), statistical=False)


# -- the tutorial's recipes, through Module.apply -----------------------------------------------------
RECIPES = """Linear = type(target.Linear(1, 1))


def init_normal(m):
    if type(m) == Linear:
        init.normal_(m.weight, mean=0, std=0.01)
        init.zeros_(m.bias)


def init_constant(m):
    if type(m) == Linear:
        init.constant_(m.weight, 1)
        init.zeros_(m.bias)


def xavier(m):
    if type(m) == Linear:
        init.xavier_uniform_(m.weight)


def init_42(m):
    if type(m) == Linear:
        init.constant_(m.weight, 42)


def my_init(m):
    if type(m) == Linear:
        init.uniform_(m.weight, -10, 10)
        m.weight.data *= m.weight.data.abs() >= 5
"""

NET = """net = (rgnet(target, n_blocks) if n_blocks is not None
       else target.Sequential(target.Linear(a, b), target.ReLU(), target.Linear(b, c)))
"""
#: The next forward after the recipe: the tensors it uses are what the recipe left (a pruned or
#: parametrized Linear recomputes its weight from other tensors, which an init of ``m.weight`` misses).
NEXT_FORWARD = "net(torch.zeros(1, a if n_blocks is None else 4))  # what the next forward uses counts\n"
LINEARS = NEXT_FORWARD + """linears = [m for m in net.modules() if type(m) == Linear]
weights = np.concatenate([m.weight.detach().to('cpu', torch.float64).numpy().ravel() for m in linears])
biases = [m.bias.detach().clone() for m in linears]
"""
RECIPE_VARS = ("a", "b", "c", "n_blocks")


def describe_net(c: Case) -> str:
    a, b, c_, n_blocks = c
    if n_blocks is not None:
        return f"rgnet(target, {n_blocks})"
    return f"target.Sequential(target.Linear({a}, {b}), target.ReLU(), target.Linear({b}, {c_}))"


def n_linears(case: Case) -> int:
    return 2 if case[3] is None else 2 * case[3] + 1


def verify_linears(ns: dict, case: Case) -> str | None:
    found = len(ns["linears"])
    if found != n_linears(case):
        return f"net.modules() lists {found} modules of type(target.Linear(1, 1)); the net holds {n_linears(case)}"
    return None


def verify_biases_unchanged(ns: dict, case: Case) -> str | None:
    after = [m.bias.detach() for m in ns["linears"]]
    if any(not torch.equal(x, y) for x, y in zip(ns["before"], after, strict=False)):
        return "changed a bias, which the recipe leaves alone"
    return None


def verify_init_normal(ns: dict, case: Case) -> str | None:
    problem = verify_linears(ns, case)
    if problem is None and any(bool((b != 0).any()) for b in ns["biases"]):
        return f"left a bias other than 0 after init.zeros_: {[b for b in ns['biases'] if (b != 0).any()][0]}"
    return problem


def verify_init_constant(ns: dict, case: Case) -> str | None:
    problem = verify_init_normal(ns, case)
    if problem is None and not bool(np.all(ns["weights"] == 1.0)):
        bad = ns["weights"][ns["weights"] != 1.0]
        return (f"{bad.size} of {ns['weights'].size} weights the next forward uses are not 1 after "
                f"init.constant_(m.weight, 1): {bad[:5]}")
    return problem


def verify_xavier_42(ns: dict, case: Case) -> str | None:
    net = ns["net"]
    if not torch.equal(net[0].bias.detach(), ns["bias0"]) or not torch.equal(net[2].bias.detach(), ns["bias2"]):
        return "changed a bias, which xavier and init_42 leave alone"
    w2 = net[2].weight.detach()
    if not bool((w2 == 42).all()):
        return f"net[2].weight, as the next forward uses it, is not all 42 after net[2].apply(init_42): {w2}"
    return None


def verify_my_init(ns: dict, case: Case) -> str | None:
    return verify_linears(ns, case) or verify_biases_unchanged(ns, case)


INIT_NORMAL_SAMPLER = Sampler(
    what="init_normal", law="N(0, 0.01^2) (the tutorial's init_normal)", case_vars=RECIPE_VARS,
    prelude=RECIPES,
    body=NET + "net.apply(init_normal)\n" + LINEARS + "parts = {'weight': weights / 0.01}\n",
    dist=D.Normal(0.0, 1.0), dist_code="D.Normal(0.0, 1.0)",
    describe=lambda c: f"{describe_net(c)}.apply(init_normal)",
    show="print(linears, weights, biases)", verify=verify_init_normal,
)

INIT_CONSTANT_SAMPLER = Sampler(
    what="init_constant", law="weight 1, bias 0", case_vars=RECIPE_VARS, prelude=RECIPES,
    body=NET + "net.apply(init_constant)\n" + LINEARS,
    dist=D.PointMass(1.0), dist_code="D.PointMass(1.0)",
    describe=lambda c: f"{describe_net(c)}.apply(init_constant)",
    show="print(linears, weights, biases)", verify=verify_init_constant,
)

XAVIER_42_SAMPLER = Sampler(
    what="xavier_42", law="U(-a, a), a = sqrt(6 / (fan_in + fan_out)) (net[0].apply(xavier))",
    case_vars=RECIPE_VARS, prelude=RECIPES,
    body=NET + """bias0, bias2 = net[0].bias.detach().clone(), net[2].bias.detach().clone()
net[0].apply(xavier)
net[2].apply(init_42)
""" + NEXT_FORWARD + """w0 = net[0].weight.detach().to('cpu', torch.float64).numpy()
parts = {'weight': w0.ravel() / D.xavier_uniform_bound(w0.shape)}
""",
    dist=D.Uniform(-1.0, 1.0), dist_code="D.Uniform(-1.0, 1.0)",
    describe=lambda c: f"{describe_net(c)}: net[0].apply(xavier); net[2].apply(init_42)",
    show="print(net[0].weight, net[2].weight, net[0].bias, bias0, net[2].bias, bias2)", verify=verify_xavier_42,
)

MY_INIT_SAMPLER = Sampler(
    what="my_init", law="my_init's law: 0 w.p. 1/2, else U([-10, -5] u [5, 10])", case_vars=RECIPE_VARS,
    prelude=RECIPES,
    body=NET + """before = [m.bias.detach().clone() for m in net.modules() if type(m) == Linear]
net.apply(my_init)
""" + LINEARS + "parts = {'weight': weights}\n",
    dist=D.my_init(), dist_code="D.my_init()",
    describe=lambda c: f"{describe_net(c)}.apply(my_init)",
    show="print(linears, weights, before, biases)", verify=verify_my_init,
)

TUTORIAL_NET: Case = (4, 8, 1, None)
INIT_NORMAL_DESIGN = (
    Design(TUTORIAL_NET, 300, ("weight",), "the tutorial's net"),
    Design((None, None, None, 4), 80, ("weight",), "rgnet: Linear layers nested two deep"),
)
XAVIER_42_DESIGN = (
    Design(TUTORIAL_NET, 150, ("weight",), "the tutorial's net: net[0].weight is 8 x 4"),
    Design((8, 3, 2, None), 200, ("weight",), "net[0].weight is 3 x 8"),
)
MY_INIT_DESIGN = (
    Design(TUTORIAL_NET, 200, ("weight",), "the tutorial's net"),
    Design((None, None, None, 4), 31, ("weight",), "rgnet"),
)


def net_case(rgnet: bool, a: int, b: int | None, c: int, n_blocks: int) -> Case:
    """rgnet(n_blocks), or the tutorial's net shape Linear(a, b), ReLU, Linear(b, c)."""
    return (None, None, None, n_blocks) if rgnet else (a, out_width(b, a), c, None)


NET_CASES = st.tuples(st.booleans(), WIDTHS, OUT_WIDTHS, st.integers(1, 8), st.integers(0, 4)).map(
    lambda t: net_case(*t))
FLAT_NET_CASES = st.tuples(WIDTHS, OUT_WIDTHS, st.integers(1, 8)).map(lambda t: net_case(False, *t, 0))


def check_init_normal(ctx: CheckContext, check: Check) -> None:
    run_init_check(ctx, check, INIT_NORMAL_SAMPLER, lambda data: data.draw(NET_CASES, label="net"), INIT_NORMAL_DESIGN)


def check_init_constant(ctx: CheckContext, check: Check) -> None:
    run_init_check(ctx, check, INIT_CONSTANT_SAMPLER, lambda data: data.draw(NET_CASES, label="net"),
                   statistical=False)


def check_xavier_42(ctx: CheckContext, check: Check) -> None:
    run_init_check(ctx, check, XAVIER_42_SAMPLER, lambda data: data.draw(FLAT_NET_CASES, label="net"),
                   XAVIER_42_DESIGN)


def check_my_init(ctx: CheckContext, check: Check) -> None:
    run_init_check(ctx, check, MY_INIT_SAMPLER, lambda data: data.draw(NET_CASES, label="net"), MY_INIT_DESIGN)


# -- apply: every submodule, children before parent ----------------------------------------------------
TREES = st.recursive(st.sampled_from(["Linear", "ReLU"]), lambda kids: st.lists(kids, max_size=3).map(tuple),
                     max_leaves=8)


def tree_code(target: Any, tree: Any) -> str:
    """The expression that builds ``tree`` (leaves "Linear" (2 -> 2) and "ReLU", tuples: Sequentials)."""
    if tree == "Linear":
        return leaf_call(target, "Linear", 2, 2)
    if tree == "ReLU":
        return leaf_call(target, "ReLU")
    return f"target.Sequential({', '.join(tree_code(target, t) for t in tree)})"


APPLY_BODY = """visited = []
net.apply(visited.append)
print([type(m).__name__ for m in visited])"""


def build_tree(target: Any, tree: Any, handed: list[tuple[Any, list[Any]]]) -> Any:
    """Build ``tree`` (as ``tree_code`` writes it) from the target's blocks, recording every module
    handed out with the children it was given, in post-order: the spec of what ``apply`` visits."""
    if tree in ("Linear", "ReLU"):
        module = leaf(target, tree, *((2, 2) if tree == "Linear" else ()))
        handed.append((module, []))
        return module
    children = [build_tree(target, t, handed) for t in tree]
    module = target.Sequential(*children)
    handed.append((module, children))
    return module


def build_rgnet(target: Any, n_blocks: int, handed: list[tuple[Any, list[Any]]]) -> Any:
    """``builders.rgnet``, recording what it hands out (block2's blocks are added with ``add_module``)."""
    block2 = target.Sequential()
    blocks = []
    for i in range(n_blocks):
        block1 = build_tree(target, ("Linear", "ReLU", "Linear", "ReLU"), handed)
        block2.add_module(f"block{i}", block1)
        blocks.append(block1)
    handed.append((block2, blocks))
    last = leaf(target, "Linear", 4, 1)
    handed.append((last, []))
    net = target.Sequential(block2, last)
    handed.append((net, [block2, last]))
    return net


def check_apply(ctx: CheckContext, check: Check) -> None:
    """``net.apply(fn)`` calls fn once on every module the suite handed to the containers (and on the
    containers), each after the children it was given (post-order), on nested Sequentials built from
    the target's blocks and on rgnet. The oracle is what was handed over, not ``net.modules()``."""
    runner = InitRunner(ctx, check, Sampler(what="apply", law="", case_vars=(), body="", dist=D.PointMass(0.0),
                                            dist_code="", describe=str, show=""))

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def apply_visits_children_first(data: st.DataObject) -> None:
        tree: Any = None
        if data.draw(st.booleans(), label="rgnet?"):
            n_blocks = data.draw(st.integers(0, 4), label="n_blocks")
            code = f"rgnet(target, {n_blocks})"
        else:
            tree = data.draw(TREES.map(lambda t: t if isinstance(t, tuple) else (t,)), label="tree")
            code = tree_code(ctx.target, tree)
        seed = data.draw(SEEDS, label="torch seed")
        snippet = "\n".join(["import torch", "from conformance.loading.builders import rgnet, torch_leaves",
                             "from conformance.loading.target import load_target",
                             f"target = {ctx.target.load_code()}", f"torch.manual_seed({seed})",
                             f"net = {code}", APPLY_BODY])

        def on_error(problem: str) -> CheckFailure:
            return runner.failure(problem, "", f"net = {code}", snippet)

        handed: list[tuple[Any, list[Any]]] = []
        with seeded(seed, ctx.device), preserved_state():
            net = runner.call(f"constructing {code}", lambda: build_tree(ctx.target, tree, handed) if tree is not None
                              else build_rgnet(ctx.target, n_blocks, handed), on_error)
            visited: list[Any] = []
            runner.call("net.apply(fn)", lambda: net.apply(visited.append), on_error)
        seen: dict[int, int] = {}
        for i, m in enumerate(visited):
            if id(m) in seen:
                raise on_error(f"apply called fn twice on the same {type(m).__name__} (calls {seen[id(m)]} and {i})")
            seen[id(m)] = i
        missing = [type(m).__name__ for m, _ in handed if id(m) not in seen]
        if missing:
            raise on_error(f"apply never called fn on {len(missing)} of the {len(handed)} modules of the tree "
                           f"(the blocks given to the containers, and the containers): {missing}")
        extra = [type(m).__name__ for m in visited if all(m is not x for x, _ in handed)]
        if extra:
            raise on_error(f"apply called fn on modules the tree does not hold: {extra}")
        for m, children in handed:
            for child in children:
                if seen[id(child)] > seen[id(m)]:
                    raise on_error(f"apply called fn on a {type(m).__name__} (call {seen[id(m)]}) before its child "
                                   f"{type(child).__name__} (call {seen[id(child)]}); the spec visits children first")

    apply_visits_children_first()


# -- reproducible construction -------------------------------------------------------------------------
def block_tensors(block: Any) -> dict[str, torch.Tensor]:
    """Every tensor a block holds: its state_dict, and tensors kept as plain attributes of any submodule
    (the tutorial's ``rand_weight``)."""
    out = {k: v.detach() for k, v in block.state_dict().items()}
    for prefix, module in block.named_modules():
        for name, value in vars(module).items():
            if isinstance(value, torch.Tensor) and not name.startswith("_"):
                out.setdefault(f"{prefix}.{name}".lstrip("."), value.detach())
    return out


def differing(x: dict[str, torch.Tensor], y: dict[str, torch.Tensor]) -> list[str]:
    """The names present in only one of ``x`` and ``y``, or whose tensors are not bit-identical."""
    return sorted(k for k in x.keys() | y.keys() if k not in x or k not in y or not bit_identical(x[k], y[k]))


REPRO_BODY = """from conformance.checks.init import block_tensors, differing
second = {code}
torch.manual_seed({seed})
again, again_second = {code}, {code}
print(differing(block_tensors(block), block_tensors(again)))  # must be []
print(differing(block_tensors(second), block_tensors(again_second)))  # must be []
print(differing(block_tensors(block), block_tensors(second)))  # must differ: a fresh draw"""


def check_reproducible(ctx: CheckContext, check: Check, *, spec: BlockSpec) -> None:
    """With the same torch seed, constructing the block (twice in a row) gives identical tensors; the
    second construction draws fresh values from torch's generator, not a private or reseeded one."""
    if construction(ctx.target, spec.name).kind == INSTANCE:
        raise NotChecked(f"{spec.name} is an instance ({ctx.target.names.get(spec.name, spec.name)}): "
                         "reproducibility is a property of fresh constructions")
    runner = InitRunner(ctx, check, Sampler(what=spec.name, law="", case_vars=(), body="", dist=D.PointMass(0.0),
                                            dist_code="", describe=str, show=""))
    judged: list[bool] = []

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def same_seed_same_block(data: st.DataObject) -> None:
        args = data.draw(spec.args_for(ctx.target), label="constructor arguments")
        seed = data.draw(SEEDS, label="torch seed")
        code = spec.code(args, ctx.target)
        width = spec.input_width(args)
        if width is not None:
            with seeded(seed, ctx.device), preserved_state():
                probe = runner.call(f"constructing {code}", lambda: eval(code, runner.base))  # noqa: S307
            if is_lazy(probe):
                code = f"sized({code}, {width})"
        snippet = "\n".join(["import copy", "import torch", "from torch import nn",
                             "from conformance.loading.builders import rgnet, torch_leaves",
                             "from conformance.drawing.examples import sized",
                             "from conformance.loading.wrappers import unwrap",
                             "from conformance.loading.target import load_target",
                             f"target = {ctx.target.load_code()}", f"torch.manual_seed({seed})",
                             f"block = {code}", REPRO_BODY.format(code=code, seed=seed)])

        def on_error(problem: str) -> CheckFailure:
            return runner.failure(problem, "", f"block = {code}, torch seed = {seed}", snippet)

        def build_two() -> tuple[dict, dict]:
            with seeded(seed, ctx.device), preserved_state():
                first = runner.call(f"constructing {code}", lambda: eval(code, runner.base), on_error)  # noqa: S307
                second = runner.call(f"constructing {code} again", lambda: eval(code, runner.base), on_error)  # noqa: S307
                return (runner.call("state_dict()", lambda: block_tensors(first), on_error),
                        runner.call("state_dict()", lambda: block_tensors(second), on_error))

        first, second = build_two()
        first_again, second_again = build_two()
        for label, x, y in (("first", first, first_again), ("second", second, second_again)):
            diff = differing(x, y)
            if diff:
                raise on_error(f"the {label} construction after torch.manual_seed({seed}) differs between two runs "
                               f"in {sorted(diff)}: construction is not reproducible from torch's seed")
        numel = sum(t.numel() for t in first.values() if t.is_floating_point())
        if numel:
            judged.append(True)
        if numel >= 8 and not differing(first, second):
            raise on_error("two constructions in a row give identical tensors: the block does not draw from "
                           "torch's global generator (a private or reseeded generator)")

    same_seed_same_block()
    if not judged:
        raise NotChecked("nothing to check: no drawn construction had a floating-point parameter or buffer")


#: The checks that run statistical tests (each spends ALPHA_CHECK), with their sample designs.
STATISTICAL = {
    "linear.init[default]": (LINEAR_SAMPLER, LINEAR_DESIGN),
    "mylinear.init[default]": (MYLINEAR_SAMPLER, MYLINEAR_DESIGN),
    "fixedhiddenmlp.init[rand_weight]": (RAND_WEIGHT_SAMPLER, RAND_WEIGHT_DESIGN),
    "init.function[normal_]": (NORMAL_SAMPLER, NORMAL_DESIGN),
    "init.function[uniform_]": (UNIFORM_SAMPLER, UNIFORM_DESIGN),
    "init.function[xavier_uniform_]": (XAVIER_SAMPLER, XAVIER_DESIGN),
    "sequential.init[init_normal]": (INIT_NORMAL_SAMPLER, INIT_NORMAL_DESIGN),
    "sequential.init[xavier_42]": (XAVIER_42_SAMPLER, XAVIER_42_DESIGN),
    "sequential.init[my_init]": (MY_INIT_SAMPLER, MY_INIT_DESIGN),
}

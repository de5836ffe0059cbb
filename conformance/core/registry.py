"""The one registry of checks. Every front-end (pytest plugin, CLI, ``conformance.run``,
``parametrize_with_checks``) consumes ``all_checks()``; ids are stable: ``block.property[variant]``."""

from __future__ import annotations

import builtins
import importlib
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from conformance.core.failures import NotProvided
from conformance.database.store import blocks, find_block

if TYPE_CHECKING:
    from conformance.core.context import CheckContext

DTYPES = ("float32", "float64")
#: Half precision: float32 arithmetic, results stored rounded to the format (``judging/tolerance.py``).
HALF_DTYPES = ("float16", "bfloat16")

#: property -> the pytest module (area) that runs it
AREAS = {
    "forward": "forward", "bad_input": "forward",
    "gradient": "gradient",
    "structure": "structure", "container": "structure", "access": "structure", "buffers": "structure",
    "independence": "forward", "termination": "forward",
    "gradcheck": "gradient",
    "tying": "tying",
    "saveload": "saveload", "strict": "saveload", "tensors": "saveload", "load_safety": "saveload",
    "init": "init", "apply": "init", "reproducible": "init",
    "function": "init",
    "lifecycle": "lifecycle",
    "gradgrad": "gradient", "copy": "protocol", "meta": "protocol", "factory": "protocol", "bad_args": "protocol",
}


@dataclass(frozen=True)
class Lazy:
    """A check function by name, ``conformance.checks.<module>.<name>``, with keyword arguments bound:
    imported on the first call, so listing the checks (the pytest controller, ``--collect-only``, an
    expected-failures file's validation) imports neither torch nor scipy."""

    module: str
    name: str
    kwargs: dict[str, Any] = field(default_factory=dict, hash=False)

    def __call__(self, ctx: CheckContext, check: "Check") -> None:
        func = getattr(importlib.import_module(f"conformance.checks.{self.module}"), self.name)
        func(ctx, check, **self.kwargs)


@dataclass(frozen=True)
class Check:
    """One check: a plain function of a CheckContext, with a stable id."""

    block: str                      # "linear"
    property: str                   # "forward"
    variant: str | None             # "float32", or None
    requires: tuple[str, ...]       # contract names the target must define
    func: Callable[[CheckContext, "Check"], None]
    leaves: bool = False            # builds Linear/ReLU: the target's, else torch.nn's
    anchored: bool = False          # draws its examples with ``draw_example``: the block's anchor cases run first
    budget: float = 1.0             # the share of the profile's examples it draws (a protocol property needs few)

    @builtins.property  # the field `property` shadows the builtin for mypy
    def id(self) -> str:
        return f"{self.block}.{self.property}" + (f"[{self.variant}]" if self.variant else "")

    @builtins.property
    def area(self) -> str:
        return AREAS[self.property]

    def __call__(self, ctx: CheckContext) -> None:
        from conformance.drawing.anchors import anchors_for
        from conformance.loading.builders import torch_leaves
        from conformance.loading.construction import construction, notes
        from conformance.sandbox.exits import refuse_exit

        ctx.begin_check(self.id, anchors_for(find_block(self.block)) if self.anchored else (), self.budget)
        missing = [name for name in self.requires if not ctx.target.provides(name)]
        if missing:
            raise NotProvided(f"{NotProvided.PREFIX}target {ctx.target.spec!r} defines no {', '.join(missing)}")
        unusable = [construction(ctx.target, name) for name in self.requires]
        unusable = [c for c in unusable if not c.usable]
        if unusable:
            raise NotProvided(NotProvided.PREFIX + "; ".join(c.reason for c in unusable))
        ctx.require_device()
        for text in notes(ctx.target, self.requires):
            ctx.note(text)
        target = ctx.target
        if self.leaves:
            ctx.target = torch_leaves(target, init=self.area == "init")
            if ctx.target.torch_fills:
                ctx.note(f"checked with torch.nn's {', '.join(ctx.target.torch_fills)}: the target defines no "
                         f"usable {'/'.join(ctx.target.torch_fills)}")
        try:
            with ctx.intra_op_threads(), refuse_exit(), warnings.catch_warnings():
                # torch's own note that a zero-width Linear's init is a no-op (the anchor case
                # ``zero_features`` builds one) says nothing of the target
                warnings.filterwarnings("ignore", message="Initializing zero-element tensors is a no-op")
                self.func(ctx, self)
        except Exception as exc:
            from hypothesis.errors import HypothesisException

            from conformance.core.failures import CheckFailure
            from conformance.core.framing import unguarded

            if isinstance(exc, (CheckFailure, HypothesisException)):
                raise
            raise unguarded(self.id, exc) from exc  # the target's, escaping a guard; else the suite's bug
        finally:
            ctx.check_id, ctx.target = None, target

    def __repr__(self) -> str:
        return f"<Check {self.id}>"


@dataclass(frozen=True)
class Property:
    """A generic property of blocks: its check function, its variants, and the capability of a
    declaration (``BlockSpec``) it applies to."""

    name: str
    variants: tuple[str | None, ...]
    module: str
    func: str
    applies: Callable[[Any], bool] = lambda spec: True
    dtype: bool = False             # the variant is the dtype, passed as ``dtype=``
    anchored: bool = True           # draws examples with ``draw_example`` (the block's anchor cases run first)
    budget: float = 1.0             # the share of the profile's examples it draws

    def variants_for(self, spec: Any) -> tuple[str | None, ...]:
        """The variants ``spec`` gets: the half-precision ones only where its bounds hold there."""
        return tuple(v for v in self.variants if v not in HALF_DTYPES or spec.half)


#: Every generic property, in the order a block's checks are listed; which apply to a block is
#: decided by its declaration's capabilities alone.
PROPERTIES: tuple[Property, ...] = (
    Property("forward", DTYPES + HALF_DTYPES, "forward", "check_forward", dtype=True),
    Property("gradient", DTYPES + HALF_DTYPES, "gradient", "check_gradient", dtype=True),
    Property("structure", (None,), "structure", "check_structure"),
    Property("container", (None,), "structure", "check_container", lambda s: s.container),
    Property("bad_input", (None,), "forward", "check_bad_input", lambda s: s.checks_width),
    Property("independence", ("float32",), "semantics", "check_independence",
             lambda s: s.rowwise and s.input_width_known, dtype=True),
    Property("gradcheck", ("float64",), "oracle", "check_gradcheck"),
    Property("buffers", (None,), "semantics", "check_buffers", lambda s: s.has_buffers),
    Property("termination", (None,), "semantics", "check_termination", lambda s: s.halves),
    Property("tying", DTYPES, "tying", "check_tying", lambda s: s.tied, dtype=True),
    Property("saveload", DTYPES, "persistence", "check_state_dict_round_trip", dtype=True),
    Property("strict", (None,), "persistence", "check_strict_loading"),
    Property("access", (None,), "semantics", "check_access", lambda s: s.indexable),
    Property("lifecycle", DTYPES + HALF_DTYPES, "lifecycle", "check_lifecycle", dtype=True),
    # the rest of torch.nn's module protocol (a drop-in replacement's)
    Property("gradgrad", ("float64",), "second_order", "check_gradgrad", lambda s: s.twice_differentiable,
             dtype=True),
    # (structural: a quarter of the profile's random examples besides the anchor cases)
    Property("copy", (None,), "protocol", "check_copy", lambda s: s.stateful or s.has_state, budget=0.25),
    Property("meta", (None,), "protocol", "check_meta",
             lambda s: (s.stateful or s.has_state) and s.signature is not None, budget=0.25),
    Property("factory", ("float64",), "protocol", "check_factory",
             lambda s: (s.stateful or s.has_state) and s.signature is not None, dtype=True, budget=0.25),
    Property("bad_args", (None,), "protocol", "check_bad_args", lambda s: bool(s.bad_args), anchored=False),
)
#: Properties checked after the init area's own checks.
LATE_PROPERTIES: tuple[Property, ...] = (
    Property("reproducible", (None,), "init", "check_reproducible", lambda s: s.reproducible, anchored=False),
)
#: The generic default-init property of a declared block with init laws (``BlockSpec.init``).
DECLARED_INIT = Property("init", ("default",), "init", "check_declared_init", lambda s: bool(s.init) and not any(
    c.property == "init" for c in s.own_checks), anchored=False)


def block_checks(spec: Any, properties: tuple[Property, ...]) -> list[Check]:
    """The checks of ``properties`` that apply to the declared block ``spec``."""
    out = []
    for prop in properties:
        if prop.applies(spec):
            for variant in prop.variants_for(spec):
                kwargs = {"spec": spec, **({"dtype": variant} if prop.dtype else {})}
                out.append(Check(spec.key, prop.name, variant, spec.needs, Lazy(prop.module, prop.func, kwargs),
                                 leaves=spec.leaves, anchored=prop.anchored, budget=prop.budget))
    return out


def own_checks(spec: Any) -> list[Check]:
    """The properties only ``spec`` has (``BlockSpec.own_checks``), and the declared init law."""
    out = [Check(spec.key, c.property, c.variant, spec.needs, Lazy(c.module, c.func, {"spec": spec}),
                 leaves=spec.leaves, anchored=c.anchored) for c in spec.own_checks]
    return out + block_checks(spec, (DECLARED_INIT,))


def all_checks() -> list[Check]:
    """Every check of the suite, in a fixed order: each declared block (the chapter's, then the
    user's, ``database.blocks()``) times the properties that apply to it, then the checks of torch's
    functions (``save``/``load``, ``init``)."""
    specs = blocks()
    out: list[Check] = []
    for spec in specs:
        out += block_checks(spec, PROPERTIES)
    out.append(Check("save", "tensors", None, ("save", "load"), Lazy("persistence", "check_tensors")))
    out.append(Check("save", "load_safety", None, ("load",), Lazy("persistence", "check_load_safety")))
    for spec in specs:
        out += own_checks(spec)
    out += init_checks()
    for spec in specs:
        out += block_checks(spec, LATE_PROPERTIES)
    ids = [c.id for c in out]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"check ids must be unique: {duplicates} (two declarations with one key?)")
    return out


def init_checks() -> list[Check]:
    """The init area's checks of torch's init functions and the tutorial's recipes
    (``conformance.checks.init``), in registry order."""
    seq, init = "Sequential", "init"
    table = [
        ("init", "function", "normal_", (init,), "check_normal"),
        ("init", "function", "uniform_", (init,), "check_uniform"),
        ("init", "function", "zeros_", (init,), "check_zeros"),
        ("init", "function", "constant_", (init,), "check_constant"),
        ("init", "function", "xavier_uniform_", (init,), "check_xavier"),
        ("sequential", "init", "init_normal", (seq,), "check_init_normal"),
        ("sequential", "init", "init_constant", (seq,), "check_init_constant"),
        ("sequential", "init", "xavier_42", (seq,), "check_xavier_42"),
        ("sequential", "init", "my_init", (seq,), "check_my_init"),
        ("sequential", "apply", None, (seq,), "check_apply"),
    ]
    return [Check(block, prop, variant, needs, Lazy("init", name), leaves=needs == (seq,))
            for block, prop, variant, needs, name in table]


def select(checks: list[Check], area: str | None = None) -> list[Check]:
    return [c for c in checks if area is None or c.area == area]

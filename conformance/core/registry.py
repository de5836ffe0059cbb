"""The one registry of checks. Every front-end (pytest plugin, CLI, ``conformance.run``,
``parametrize_with_checks``) consumes ``all_checks()``; ids are stable: ``block.property[variant]``."""

from __future__ import annotations

import builtins
import importlib
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from conformance.core.failures import NotProvided
from conformance.drawing.blocks import BLOCKS, CHIMERA, FIXEDHIDDENMLP, LINEAR, MLP, MYLINEAR, NESTMLP

if TYPE_CHECKING:
    from conformance.core.context import CheckContext

DTYPES = ("float32", "float64")

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

        ctx.begin_check(self.id, anchors_for(self.block) if self.anchored else ())
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


#: Blocks whose construction under a seed must be reproducible.
REPRODUCIBLE_BLOCKS = (LINEAR, MLP, NESTMLP, FIXEDHIDDENMLP, CHIMERA, MYLINEAR)


def all_checks() -> list[Check]:
    """Every check of the suite, in a fixed order."""
    out: list[Check] = []
    for spec in BLOCKS:
        need = spec.needs

        def add(prop: str, variant: str | None, module: str, name: str, **kwargs: Any) -> None:
            out.append(Check(spec.key, prop, variant, need, Lazy(module, name, {"spec": spec, **kwargs}),  # noqa: B023
                             leaves=spec.leaves, anchored=True))  # noqa: B023

        for dtype in DTYPES:
            add("forward", dtype, "forward", "check_forward", dtype=dtype)
        for dtype in DTYPES:
            add("gradient", dtype, "gradient", "check_gradient", dtype=dtype)
        add("structure", None, "structure", "check_structure")
        if spec.container:
            add("container", None, "structure", "check_container")
        if spec.checks_width:
            add("bad_input", None, "forward", "check_bad_input")
        if spec.rowwise and spec.input_width_known:
            add("independence", "float32", "semantics", "check_independence", dtype="float32")
        add("gradcheck", "float64", "oracle", "check_gradcheck")
        if spec.has_buffers:
            add("buffers", None, "semantics", "check_buffers")
        if spec.halves:
            add("termination", None, "semantics", "check_termination")
        if spec.tied:
            for dtype in DTYPES:
                add("tying", dtype, "tying", "check_tying", dtype=dtype)
        for dtype in DTYPES:
            add("saveload", dtype, "persistence", "check_state_dict_round_trip", dtype=dtype)
        add("strict", None, "persistence", "check_strict_loading")
        if spec.container or spec.key == "rgnet":
            add("access", None, "semantics", "check_access")
        for dtype in DTYPES:
            add("lifecycle", dtype, "lifecycle", "check_lifecycle", dtype=dtype)
    out.append(Check("save", "tensors", None, ("save", "load"), Lazy("persistence", "check_tensors")))
    out.append(Check("save", "load_safety", None, ("load",), Lazy("persistence", "check_load_safety")))
    out += init_checks()
    ids = [c.id for c in out]
    assert len(ids) == len(set(ids)), "check ids must be unique"
    return out


def init_checks() -> list[Check]:
    """The init area's checks (``conformance.checks.init``), in registry order."""
    lin, seq, init = "Linear", "Sequential", "init"
    table = [
        ("linear", "init", "default", (lin,), "check_linear_init"),
        ("mylinear", "init", "default", ("MyLinear",), "check_mylinear_init"),
        ("fixedhiddenmlp", "init", "rand_weight", ("FixedHiddenMLP",), "check_rand_weight"),
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
    out = [Check(block, prop, variant, needs, Lazy("init", name), leaves=needs == (seq,))
           for block, prop, variant, needs, name in table]
    out += [Check(spec.key, "reproducible", None, spec.needs, Lazy("init", "check_reproducible", {"spec": spec}))
            for spec in REPRODUCIBLE_BLOCKS]
    return out


def select(checks: list[Check], area: str | None = None) -> list[Check]:
    return [c for c in checks if area is None or c.area == area]

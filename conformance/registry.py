"""The one registry of checks. Every front-end (pytest plugin, CLI, ``conformance.run``,
``parametrize_with_checks``) consumes ``all_checks()``; ids are stable: ``block.property[variant]``."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from functools import partial
from typing import Callable

from .blocks import BLOCKS
from .context import CheckContext
from .failures import NotProvided

DTYPES = ("float32", "float64")

#: property -> the pytest module (area) that runs it
AREAS = {
    "forward": "forward", "bad_input": "forward",
    "gradient": "gradient",
    "structure": "structure", "container": "structure", "access": "structure", "buffers": "structure",
    "independence": "forward", "termination": "forward",
    "gradcheck": "gradient",
    "tying": "tying",
    "saveload": "saveload", "strict": "saveload", "tensors": "saveload",
    "init": "init", "apply": "init", "reproducible": "init",
    "function": "init",
}


@dataclass(frozen=True)
class Check:
    """One check: a plain function of a CheckContext, with a stable id."""

    block: str                      # "linear"
    property: str                   # "forward"
    variant: str | None             # "float32", or None
    requires: tuple[str, ...]       # contract names the target must define
    func: Callable[[CheckContext, "Check"], None]

    @builtins.property  # the field `property` shadows the builtin for mypy
    def id(self) -> str:
        return f"{self.block}.{self.property}" + (f"[{self.variant}]" if self.variant else "")

    @builtins.property
    def area(self) -> str:
        return AREAS[self.property]

    def __call__(self, ctx: CheckContext) -> None:
        missing = [name for name in self.requires if not ctx.target.provides(name)]
        if missing:
            raise NotProvided(f"{NotProvided.PREFIX}target {ctx.target.spec!r} defines no {', '.join(missing)}")
        ctx.require_device()
        with ctx.intra_op_threads():
            self.func(ctx, self)

    def __repr__(self) -> str:
        return f"<Check {self.id}>"


def all_checks() -> list[Check]:
    """Every check of the suite, in a fixed order."""
    from .checks import forward, gradient, oracle, persistence, semantics, structure, tying
    from .checks import init as init_checks

    out: list[Check] = []
    for spec in BLOCKS:
        need = spec.needs
        for dtype in DTYPES:
            out.append(Check(spec.key, "forward", dtype, need, partial(forward.check_forward, spec=spec, dtype=dtype)))
        for dtype in DTYPES:
            out.append(Check(spec.key, "gradient", dtype, need,
                             partial(gradient.check_gradient, spec=spec, dtype=dtype)))
        out.append(Check(spec.key, "structure", None, need, partial(structure.check_structure, spec=spec)))
        if spec.container:
            out.append(Check(spec.key, "container", None, need, partial(structure.check_container, spec=spec)))
        if spec.checks_width:
            out.append(Check(spec.key, "bad_input", None, need, partial(forward.check_bad_input, spec=spec)))
        if spec.rowwise and spec.input_width_known:
            out.append(Check(spec.key, "independence", "float32", need,
                             partial(semantics.check_independence, spec=spec, dtype="float32")))
        out.append(Check(spec.key, "gradcheck", "float64", need, partial(oracle.check_gradcheck, spec=spec)))
        if spec.has_buffers:
            out.append(Check(spec.key, "buffers", None, need, partial(semantics.check_buffers, spec=spec)))
        if spec.halves:
            out.append(Check(spec.key, "termination", None, need, partial(semantics.check_termination, spec=spec)))
        if spec.tied:
            for dtype in DTYPES:
                out.append(Check(spec.key, "tying", dtype, need, partial(tying.check_tying, spec=spec, dtype=dtype)))
        for dtype in DTYPES:
            out.append(Check(spec.key, "saveload", dtype, need,
                             partial(persistence.check_state_dict_round_trip, spec=spec, dtype=dtype)))
        out.append(Check(spec.key, "strict", None, need, partial(persistence.check_strict_loading, spec=spec)))
        if spec.container or spec.key == "rgnet":
            out.append(Check(spec.key, "access", None, need, partial(semantics.check_access, spec=spec)))
    out.append(Check("save", "tensors", None, ("save", "load"), persistence.check_tensors))
    out += init_checks.checks()
    ids = [c.id for c in out]
    assert len(ids) == len(set(ids)), "check ids must be unique"
    return out


def select(checks: list[Check], area: str | None = None) -> list[Check]:
    return [c for c in checks if area is None or c.area == area]

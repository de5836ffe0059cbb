"""Reproducible construction: the same ``torch.manual_seed`` gives the same parameters, a second construction
fresh ones."""

from __future__ import annotations

from typing import Any

import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from conformance.checks.common import bit_identical
from conformance.checks.init.sampling import (
    InitRunner,
    Sampler,
    preserved_state,
)
from conformance.core.context import CheckContext
from conformance.core.failures import CheckFailure, NotChecked
from conformance.core.registry import Check
from conformance.drawing.blocks import BlockSpec
from conformance.drawing.examples import is_lazy, seeded
from conformance.drawing.strategies import SEEDS
from conformance.loading.construction import INSTANCE, construction
from reference import distributions as D


# -- reproducible construction -------------------------------------------------------------------------
def block_tensors(block: Any) -> dict[str, torch.Tensor]:
    """Every tensor a block holds: its state_dict (inside a tuple or list too: a quantized layer's
    packed weight and bias, as float values; other entries, a dtype or extra state, hold none), and
    tensors kept as plain attributes of any submodule (the tutorial's ``rand_weight``)."""
    out: dict[str, torch.Tensor] = {}
    for key, value in block.state_dict().items():
        out.update(_tensors_in(key, value))
    for prefix, module in block.named_modules():
        for name, value in vars(module).items():
            if isinstance(value, torch.Tensor) and not name.startswith("_"):
                out.setdefault(f"{prefix}.{name}".lstrip("."), value.detach())
    return out


def _tensors_in(key: str, value: Any) -> dict[str, torch.Tensor]:
    if isinstance(value, torch.Tensor):
        return {key: value.detach().dequantize() if value.is_quantized else value.detach()}
    if isinstance(value, (tuple, list)):
        return {k: t for i, v in enumerate(value) for k, t in _tensors_in(f"{key}.{i}", v).items()}
    return {}


def differing(x: dict[str, torch.Tensor], y: dict[str, torch.Tensor]) -> list[str]:
    """The names present in only one of ``x`` and ``y``, or whose tensors are not bit-identical."""
    return sorted(k for k in x.keys() | y.keys() if k not in x or k not in y or not bit_identical(x[k], y[k]))


REPRO_BODY = """from conformance.checks.init.reproducible import block_tensors, differing
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
        assume(spec.random_init(args))  # a block whose init draws nothing at these sizes has nothing to reproduce
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
        problem = next((f"the {label} construction after torch.manual_seed({seed}) differs between two runs in "
                        f"{sorted(diff)}: construction is not reproducible from torch's seed"
                        for label, x, y in (("first", first, first_again), ("second", second, second_again))
                        if (diff := differing(x, y))), None)
        numel = sum(t.numel() for t in first.values() if t.is_floating_point())
        if numel:
            judged.append(True)
        if problem is None and numel >= 8 and not differing(first, second):
            problem = ("two constructions in a row give identical tensors: the block does not draw from torch's "
                       "global generator (a private or reseeded generator)")
        if problem is not None:  # one place: a block whose tensors are uninitialised memory fails either way
            raise on_error(problem)

    same_seed_same_block()
    if not judged:
        raise NotChecked("nothing to check: no drawn construction had a floating-point parameter or buffer")


#: The checks that run statistical tests (each spends ALPHA_CHECK), with their sample designs.

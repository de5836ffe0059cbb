"""The gradient oracle: autograd's gradient against central finite differences of the target
itself, in float64, so a wrong custom backward is caught even where the reference and the target
could share a mistake.

It is a randomized directional-derivative test (the idea behind ``gradcheck(fast_mode=True)``):
for random directions v (over the input and every parameter at once) and output weights w,
``<grad_autograd(w . f), v>`` must equal ``(w . f(theta + h v) - w . f(theta - h v)) / 2h``. One
backward and two forwards per example instead of one forward per parameter entry. The chapter's
blocks are piecewise linear, so away from kinks (ReLU inputs at 0, halving thresholds) the central
difference has no truncation error and the only discrepancy is rounding: the forward's own, at
most sum |w| * (the spec's float64 output bound) / h for a forward within the spec's bounds, allowed
at full size, and 1e-6 of the gradient's terms. The difference is compared with autograd along the
direction actually applied, ((theta + h v) - (theta - h v)) / 2h, which differs from v where an entry
is much larger than h (it moves by whole ulps). A smooth block (a declared LayerNorm) has
truncation error c h^2 as well: it is estimated from a second difference at step 2h (Richardson:
D(2h) - D(h) = 3 c h^2 + O(h^4), each taken against autograd along its own applied direction) and
allowed with a factor of 6 over the estimate; for a piecewise-linear block the two agree to rounding.
"""

from __future__ import annotations

import contextlib
from typing import Callable, Iterator

import numpy as np
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from conformance.checks.common import Runner, draw_example
from conformance.checks.structure import own_forward, own_reference
from conformance.core.context import CheckContext
from conformance.core.registry import Check
from conformance.drawing.blocks import BlockSpec
from conformance.loading.wrappers import is_scripted, modules

STEP = 1e-6
#: Inputs kept this far from every kink (relative to STEP times the direction's size), so the
#: finite differences see a linear function.
KINK_MARGIN = 1e-3
#: Allowance relative to the gradient's terms sum |g| |v| (and |central difference|), on top of the
#: forward's rounding amplified by 1/STEP (``directional_derivatives``' ``output_bound``).
RELATIVE_TOLERANCE = 1e-6
#: Truncation allowance, in units of |D(2h) - D(h)| (6 times the Richardson estimate of c h^2).
TRUNCATION_FACTOR = 2.0

ORACLE_BODY = """from conformance.checks.oracle import directional_derivatives
autograd, finite_difference, scale = directional_derivatives(block, x, seed={seed})
print(autograd, finite_difference)"""


def directional_derivatives(block: torch.nn.Module, x: torch.Tensor, seed: int,
                            output_bound: np.ndarray | None = None) -> tuple[float, float, float]:
    """(autograd's directional derivative, the central difference, the magnitude they are judged by:
    they may differ by ``RELATIVE_TOLERANCE`` times it plus ``|central difference|``; the magnitude
    includes the difference's estimated truncation error and its rounding error, expressed in those
    units). ``output_bound``: the spec's float64 error bound on each output at ``x`` (a forward within
    it, at x +- h v, moves the difference by up to sum |w| * bound / h: a LayerNorm whose outputs are
    near +-1 while its gradient is 1e-5 has that rounding far above 1e-6 of the gradient's terms)."""
    rng = np.random.default_rng(seed)
    params = list(block.named_parameters())
    theta = [x.detach()] + [p.detach() for _, p in params]
    smooth = [t.is_floating_point() for t in theta]  # integer inputs (indices) are not differentiated
    direction = [torch.from_numpy(rng.standard_normal(tuple(t.shape))).to(t) if d else torch.zeros_like(t)
                 for t, d in zip(theta, smooth, strict=True)]
    stateless = not any(is_scripted(m) for m in modules(block))
    f, leaves = probe_call(block, params, theta, stateless)
    try:
        y = f(leaves)
    except Exception:  # noqa: BLE001 - the stateless API refused the block: the in-place probe decides
        if not stateless:
            raise
        f, leaves = probe_call(block, params, theta, False)  # on the block as it was (``intact``)
        y = f(leaves)  # raising here too, it is the block's own error
    weights = torch.from_numpy(rng.standard_normal(tuple(y.shape))).to(y)
    found = iter(torch.autograd.grad((y * weights).sum(), [t for t, d in zip(leaves, smooth, strict=True) if d],
                                     allow_unused=True))
    grads = [next(found) if d else None for d in smooth]

    def along(vectors: list) -> float:
        return sum(float((g * v).sum()) for g, v in zip(grads, vectors, strict=True) if g is not None)

    def central(step: float) -> tuple[float, list]:
        """The central difference at ``step``, and the direction it actually differentiates along:
        ``t + step * v`` rounds where |t| is much larger than ``step * |v|`` (an entry of 1e5 moves by
        a multiple of its ulp, 1.5e-11, not by exactly 1e-6 * v), so the difference is autograd's
        derivative along ((t + step v) - (t - step v)) / (2 step), computed exactly (Sterbenz)."""
        plus = [t + step * v if d else t for t, v, d in zip(theta, direction, smooth, strict=True)]
        minus = [t - step * v if d else t for t, v, d in zip(theta, direction, smooth, strict=True)]
        with torch.no_grad():
            difference = (float((f(plus) * weights).sum()) - float((f(minus) * weights).sum())) / (2 * step)
        return difference, [(p - m) / (2 * step) if d else None for p, m, d in zip(plus, minus, smooth, strict=True)]

    finite_difference, applied = central(STEP)
    autograd = along(applied)
    twice, applied_twice = central(2 * STEP)
    # Richardson on what each difference leaves unexplained by autograd along its own direction
    truncation = abs((twice - along(applied_twice)) - (finite_difference - autograd)) * TRUNCATION_FACTOR
    scale = sum(float((g.abs() * v.abs()).sum()) for g, v in zip(grads, applied, strict=True) if g is not None)
    # rounding, at full size: the weighted sums' (n + 1 terms each) and the two evaluations' own
    terms = weights.abs().detach().cpu().numpy()
    rounding = (terms.size + 1) * 2.0**-53 * float((y.detach().abs() * weights.abs()).sum())
    if output_bound is not None:
        rounding += float((terms * np.broadcast_to(np.asarray(output_bound, dtype=np.float64), terms.shape)).sum())
    scale += rounding / STEP / RELATIVE_TOLERANCE
    scale += truncation / RELATIVE_TOLERANCE
    return autograd, finite_difference, scale


def probe_call(block: torch.nn.Module, params: list[tuple[str, torch.nn.Parameter]], theta: list[torch.Tensor],
               stateless: bool) -> tuple[Callable[[list[torch.Tensor]], torch.Tensor], list[torch.Tensor]]:
    """``f([x, *parameter values])``, the block's output at those values, and the leaves autograd
    differentiates at ``theta`` (the input and the block's own parameter values).

    ``stateless``: through torch's stateless API (``torch.func.functional_call``). Else (where it
    refuses (a TorchScript module, a wrapper that hides its parameters from it), the leaves are
    the block's own parameters (at ``theta`` already) and a clone of the input, and ``f`` writes the
    values into the parameters in place under ``no_grad``, calls the block, and restores them."""
    names = [n for n, _ in params]
    if stateless:
        def functional(values: list[torch.Tensor]) -> torch.Tensor:
            with intact(block):
                return torch.func.functional_call(block, dict(zip(names, values[1:], strict=True)), (values[0],))

        return functional, [t.clone().requires_grad_(t.is_floating_point()) for t in theta]
    live = [p for _, p in params]

    def in_place(values: list[torch.Tensor]) -> torch.Tensor:
        if all(v is p for v, p in zip(values[1:], live, strict=True)):
            return block(values[0])
        saved = [p.detach().clone() for p in live]
        try:
            with torch.no_grad():
                for p, v in zip(live, values[1:], strict=True):
                    p.copy_(v)
                return block(values[0])
        finally:
            with torch.no_grad():
                for p, v in zip(live, saved, strict=True):
                    p.copy_(v)

    return in_place, [theta[0].clone().requires_grad_(theta[0].is_floating_point()), *live]


@contextlib.contextmanager
def intact(block: torch.nn.Module) -> Iterator[None]:
    """Every module of ``block`` holds its own parameters and buffers again after the body, whatever
    the body did. torch's stateless API swaps the given tensors into the modules and back; it puts
    back the wrong one where one module sits at two places (a tied layer: swapped twice, restored in
    the same order) and where it stops part-way, leaving a swapped-in plain tensor in place of the
    block's Parameter: a block stripped so by the suite's own probe is not the target's to answer for."""
    saved = [(m, dict(m._parameters), dict(m._buffers)) for m in modules(block)]
    try:
        yield
    finally:
        for module, params, buffers in saved:
            for name, value in params.items():
                module._parameters[name] = value
            for name, tensor in buffers.items():
                module._buffers[name] = tensor


def check_gradcheck(ctx: CheckContext, check: Check, *, spec: BlockSpec) -> None:

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def autograd_matches_finite_differences(data: st.DataObject) -> None:
        drawn = draw_example(data, ctx, spec, "float64", plain=True)
        assume(spec.derivative(drawn.args))  # the spec's gradient is not its forward's derivative here
        run = Runner(ctx, check, spec, drawn)
        block = run.build()
        ref, _, mislaid = own_reference(run, block)
        x = run.example.input()
        if ref is None:  # judged as the block's own function, where the spec's has no kink at all
            expected = run.expected(spec.reference(drawn.args), x, None, ctx.precision(check.id, "float64"))
            if min_kink_distance(expected["ctx"]) != float("inf"):
                run.cannot_judge(f"{mislaid}: where the kinks of its function lie (ReLU inputs at 0) is "
                                 "known only on the spec's parameters", run.structure_id)
            wanted = sum(np.size(v) for _, v in spec.reference(drawn.args).named_parameters())
            held = sum(p.numel() for _, p in run.named_parameters(block))
            if held < wanted:  # e.g. a container that registers none: the probe would leave them out
                run.cannot_judge(f"{mislaid}: the block registers {held} parameter values, the spec's has {wanted}: "
                                 "finite differences over its parameters would leave some out", run.structure_id)
            own_forward(run, mislaid, lambda: block(x.detach().requires_grad_()),
                        "y = block(x.requires_grad_())\nprint(y.requires_grad)", grad=True)
            ctx.note(f"{check.id}: {mislaid.split(': ')[0]} (see {run.structure_id}); judged on the block's own "
                     "function: autograd against its finite differences (the spec's function has no kink)")
        else:
            expected = run.expected(ref, x, None, ctx.precision(check.id, "float64"))
        assume(x.numel() > 0 and min_kink_distance(expected["ctx"]) > KINK_MARGIN)
        run.named_parameters(block)  # a block that cannot list them is the structure check's failure
        seed = drawn.example.seed
        body = ORACLE_BODY.format(seed=seed)
        auto, numeric, scale = run.call("autograd and finite differences",
                                        lambda: directional_derivatives(block, x, seed, expected["ey"]), body)
        if not abs(auto - numeric) <= RELATIVE_TOLERANCE * (scale + abs(numeric)) + 1e-300:
            raise run.failure("autograd's gradient disagrees with finite differences of the block itself",
                              f"directional derivative: autograd {auto!r}, central difference {numeric!r} "
                              f"(step {STEP}, allowed |difference| {RELATIVE_TOLERANCE * (scale + abs(numeric)):.3g})",
                              body=body, fact=f"autograd {auto:.6g}, finite diff. {numeric:.6g}")

    autograd_matches_finite_differences()


def min_kink_distance(ctx: object) -> float:
    """How close the reference run came to a point where the block is not differentiable: the
    smallest |value| among the arrays its ctx lists under "kinks" (see reference.module)."""
    best = float("inf")
    if isinstance(ctx, dict):
        for key, value in ctx.items():
            if key == "kinks":
                best = min([best] + [float(np.min(np.abs(a))) for a in value if a.size])
            else:
                best = min(best, min_kink_distance(value))
    elif isinstance(ctx, (list, tuple)):
        for value in ctx:
            best = min(best, min_kink_distance(value))
    return best

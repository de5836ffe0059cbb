"""Second derivatives (``gradgrad[float64]``): differentiating through the block's backward
(``create_graph=True``), as gradient penalties, Hessian-vector products and MAML do.

For random directions v (the first derivative's) and u (the second's), over the input, every parameter
and the upstream gradient w at once, the directional second derivative ``d/du <grad <w, f>, v>``
computed by autograd through the block's own backward must equal

* the central difference of the block's own first derivative ``<grad <w, f>, v>`` along u (the
  oracle ``gradcheck`` is for the first order; a backward built under ``no_grad``, detached, or from
  operations autograd cannot differentiate has no graph or a wrong one), and
* the reference's: the central difference of the reference's gradient along u.

The chapter's blocks are piecewise linear in each argument, so the differences are exact away from
kinks up to rounding; a smooth declared block's truncation error is estimated at twice the step and
allowed (as in ``oracle``).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

import reference as R
from conformance.checks.common import Runner, agrees, draw_example
from conformance.checks.oracle import (
    KINK_MARGIN,
    RELATIVE_TOLERANCE,
    STEP,
    TRUNCATION_FACTOR,
    directional_derivatives,
    intact,
    min_kink_distance,
)
from conformance.core.context import CheckContext
from conformance.core.registry import Check
from conformance.drawing.blocks import BlockSpec
from conformance.judging.bridge import to_numpy
from conformance.judging.tolerance import compare, precision_for
from conformance.loading.wrappers import is_scripted, modules
from reference.declared import FINITE_DIFFERENCES

GRADGRAD_BODY = """from conformance.checks.second_order import second_derivatives
autograd, finite_difference, scale = second_derivatives(block, x, seed={seed})
print(autograd, finite_difference)"""


class NoGraph(Exception):
    """The block's gradient, taken with ``create_graph=True``, has no graph to differentiate."""


#: The reference's own float64 arithmetic: its gradients are within these bounds of the exact ones.
REFERENCE_PRECISION = precision_for(torch.float64)


def _directions(rng: np.random.Generator, tensors: list[torch.Tensor]) -> list[torch.Tensor]:
    return [torch.from_numpy(rng.standard_normal(tuple(t.shape))).to(t) if t.is_floating_point()
            else torch.zeros_like(t) for t in tensors]


def second_derivatives(block: torch.nn.Module, x: torch.Tensor, seed: int,
                       only: str | None = None) -> tuple[float, float | None, float]:
    """(autograd's directional second derivative, the central difference of the block's own first
    derivative, the magnitude they are judged by: see ``oracle.directional_derivatives``). ``only``:
    the second direction u restricted to one group (``"x"``, a parameter's name, or ``"gy"``, the
    upstream gradient), to tell which second derivative is missing or wrong."""
    rng = np.random.default_rng(seed)
    names = [n for n, _ in block.named_parameters()]
    live = [p for _, p in block.named_parameters()]
    theta = [x.detach()] + [p.detach() for p in live]
    smooth = [t.is_floating_point() for t in theta]
    # torch's stateless API cannot swap a TorchScript module's parameters: there, autograd's second
    # derivative on the block's own parameters, judged against the reference's only (no differences)
    stateless = not any(is_scripted(m) for m in modules(block))

    def f(values: list[torch.Tensor]) -> torch.Tensor:
        if not stateless:
            return block(values[0])
        with intact(block):
            return torch.func.functional_call(block, dict(zip(names, values[1:], strict=True)), (values[0],))

    with torch.no_grad():
        y0 = f(theta)
    v, u = _directions(rng, theta), _directions(rng, theta)
    w0 = torch.from_numpy(rng.standard_normal(tuple(y0.shape))).to(y0)
    uw = torch.from_numpy(rng.standard_normal(tuple(y0.shape))).to(y0)
    if only is not None:
        groups = ["x", *names]
        u = [d if g == only else torch.zeros_like(d) for g, d in zip(groups, u, strict=True)]
        uw = uw if only == "gy" else torch.zeros_like(uw)

    magnitude = {"terms": 0.0, "n": 0}  # of the first derivative at theta: sum |g * v| and its number of terms

    def first(values: list[torch.Tensor], w: torch.Tensor, create_graph: bool) -> torch.Tensor:
        """<grad <w, f(values)>, v> (a graph through it when ``create_graph``)."""
        y = f(values)
        wrt = [t for t, d in zip(values, smooth, strict=True) if d]
        found = iter(torch.autograd.grad((y * w).sum(), wrt, create_graph=create_graph, allow_unused=True))
        grads = [next(found) if d else None for d in smooth]
        terms = [(g * d).sum() for g, d in zip(grads, v, strict=True) if g is not None]
        if create_graph:
            magnitude["terms"] = sum(float((g.detach() * d).abs().sum()) for g, d in zip(grads, v, strict=True)
                                     if g is not None)
            magnitude["n"] = sum(g.numel() for g in grads if g is not None)
        return torch.stack(terms).sum() if terms else y.new_zeros(())

    leaves = [t.clone().requires_grad_(d) for t, d in zip(theta, smooth, strict=True)]
    if not stateless:
        leaves[1:] = live
    w = w0.clone().requires_grad_(True)
    s = first(leaves, w, create_graph=True)
    if not s.requires_grad:
        raise NoGraph("the gradient taken with create_graph=True has no graph (its backward ran without one)")
    wrt = [t for t, d in zip(leaves, smooth, strict=True) if d] + [w]
    second = torch.autograd.grad(s, wrt, allow_unused=True)
    directions = [d for d, ok in zip(u, smooth, strict=True) if ok] + [uw]
    autograd = sum(float((g * d).sum()) for g, d in zip(second, directions, strict=True) if g is not None)
    scale = sum(float((g.abs() * d.abs()).sum()) for g, d in zip(second, directions, strict=True) if g is not None)

    def central(step: float) -> float:
        at = []
        for sign in (1, -1):
            moved = [(t + sign * step * d) if ok else t for t, d, ok in zip(theta, u, smooth, strict=True)]
            moved = [t.clone().requires_grad_(ok) for t, ok in zip(moved, smooth, strict=True)]
            at.append(float(first(moved, w0 + sign * step * uw, create_graph=False)))
        return (at[0] - at[1]) / (2 * step)

    if not stateless:
        return autograd, None, scale
    finite_difference = central(STEP)
    truncation = abs(central(2 * STEP) - finite_difference) * TRUNCATION_FACTOR
    # rounding, at full size (as ``oracle.directional_derivatives``): each evaluation of the first
    # derivative sums n + 1 terms g * v, so it may be off by (n + 1) u sum |g * v|, and the
    # difference divides two such errors by 2 STEP
    rounding = (magnitude["n"] + 1) * 2.0**-53 * magnitude["terms"] + 2.0**-53 * abs(float(s.detach()))
    return autograd, finite_difference, scale + (rounding / STEP + truncation) / RELATIVE_TOLERANCE


def reference_second_derivative(ref: R.Module, tensors: dict[str, torch.Tensor], block: torch.nn.Module,
                                x: torch.Tensor, seed: int) -> tuple[float, float] | None:
    """The same directional second derivative from the reference: the central difference of its
    gradient along the same directions, and that difference's estimated truncation error (None where
    the block holds parameters the spec does not name)."""
    rng = np.random.default_rng(seed)
    theta = [x.detach()] + [p.detach() for _, p in block.named_parameters()]
    v, u = _directions(rng, theta), _directions(rng, theta)
    with torch.no_grad():
        y0 = block(x.detach())
    w0 = rng.standard_normal(tuple(y0.shape))
    uw = rng.standard_normal(tuple(y0.shape))
    position = {id(p): i + 1 for i, (_, p) in enumerate(block.named_parameters())}
    names: dict[int, str] = {}
    for name, t in tensors.items():
        if name in dict(ref.named_parameters()) or any(name in g for g in ref.tied_names()):
            if id(t) not in position:
                return None
            names.setdefault(id(t), name)  # a tied parameter once, under its first name
    if len(names) != len(position):
        return None
    state = {name: to_numpy(t) for name, t in tensors.items()}
    x0 = to_numpy(x)
    smooth = x0.dtype.kind == "f"

    def s_at(eps: float) -> tuple[float, float]:
        """<v, gradient> at the moved point, and its rounding error bound: the reference's own float64
        gradient bounds weighted by |v|, plus the weighted sum's rounding."""
        shifted = dict(state)
        for key in names:
            i = position[key]
            delta = eps * to_numpy(u[i])
            for alias, t in tensors.items():
                if id(t) == key:
                    shifted[alias] = state[alias] + delta
        ref.load_state_dict(shifted)
        xs = x0 + eps * to_numpy(u[0]) if smooth else x0
        out = R.run_forward_backward(ref, xs, w0 + eps * uw, prec=REFERENCE_PRECISION)
        pairs = [(out["gx"], out["egx"], to_numpy(v[0]))] if smooth else []
        pairs += [(out["grads"][name], out["grad_errors"][name], to_numpy(v[position[key]]))
                  for key, name in names.items()]
        total = sum(float(np.sum(g * d)) for g, _, d in pairs)
        terms = sum(float(np.sum(np.abs(g * d))) for g, _, d in pairs)
        count = sum(np.size(d) for _, _, d in pairs)
        with np.errstate(invalid="ignore"):
            error = sum(float(np.sum(np.abs(e) * np.abs(d))) for _, e, d in pairs) + count * 2.0**-53 * terms
        return total, error

    try:
        (plus, e_plus), (minus, e_minus) = s_at(STEP), s_at(-STEP)
        (plus2, e_plus2), (minus2, e_minus2) = s_at(2 * STEP), s_at(-2 * STEP)
    finally:
        ref.load_state_dict(state)
    value, wider = (plus - minus) / (2 * STEP), (plus2 - minus2) / (4 * STEP)
    rounding = (e_plus + e_minus) / (2 * STEP)  # (and the wider difference's, in the truncation estimate)
    return value, abs(wider - value) * TRUNCATION_FACTOR + rounding + (e_plus2 + e_minus2) / (4 * STEP)


def check_gradgrad(ctx: CheckContext, check: Check, *, spec: BlockSpec, dtype: str) -> None:

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def second_derivatives_agree(data: st.DataObject) -> None:
        drawn = draw_example(data, ctx, spec, dtype, plain=True)
        assume(spec.derivative(drawn.args))
        run = Runner(ctx, check, spec, drawn)
        block = run.build()
        ref, tensors = run.reference(block)
        x = run.example.input()
        expected = run.expected(ref, x, None, ctx.precision(check.id, dtype))
        assume(x.numel() > 0 and min_kink_distance(expected["ctx"]) > KINK_MARGIN)
        seed = drawn.example.seed
        body = GRADGRAD_BODY.format(seed=seed)
        broken = first_order_breaks(run, block, ref, tensors, x, ctx.precision(check.id, dtype))
        if broken is not None:  # a second derivative is judged only where the first order is the spec's
            run.cannot_judge(f"the block's first order differs from the spec's ({broken})",
                             f"{spec.key}.{broken}[{dtype}]")
        first = run.call("autograd and finite differences (first order)",
                         lambda: directional_derivatives(block, x, seed, expected["ey"]), body)
        if not abs(first[0] - first[1]) <= RELATIVE_TOLERANCE * (first[2] + abs(first[1])) + 1e-300:
            run.cannot_judge("the block's first derivative disagrees with its own finite differences",
                             f"{spec.key}.gradcheck[float64]")
        outcome = run.call("second derivatives (autograd.grad with create_graph=True)",
                           lambda: _graph_or_reason(lambda: second_derivatives(block, x, seed)), body)
        if isinstance(outcome, str):
            raise run.failure("the block's gradient cannot be differentiated: " + outcome,
                              "a backward computed under torch.no_grad(), detached, marked once_differentiable, or "
                              "built from operations autograd cannot differentiate gives no second derivative",
                              body=body, fact="no graph through the backward")
        auto, numeric, scale = outcome
        allowed = RELATIVE_TOLERANCE * (scale + abs(numeric or 0.0)) + 1e-300
        if numeric is None:
            ctx.note(f"{check.id}: a TorchScript block: its second derivatives judged against the reference's only "
                     "(torch's stateless API cannot move its parameters for differences of its own gradient)")
        elif not abs(auto - numeric) <= allowed:
            wrong = which_second_derivatives(run, block, x, seed, body)
            raise run.failure("the second derivative through the backward disagrees with finite differences of "
                              f"the block's own gradient: {wrong}",
                              f"directional second derivative: autograd {auto!r}, central difference {numeric!r} "
                              f"(step {STEP}, allowed |difference| {allowed:.3g})", body=body,
                              fact=f"autograd {auto:.6g}, finite diff. {numeric:.6g}")
        if getattr(ref, "gradient_source", None) == FINITE_DIFFERENCES:  # a difference of its differences
            found = None                                                  # would divide their error by STEP
            ctx.note(f"{check.id}: judged against central differences of the block's own gradient only (the "
                     "declared reference's gradients are themselves finite differences)")
        else:
            found = reference_second_derivative(ref, tensors, block, x, seed)
        expected_second, truncation = found if found is not None else (None, 0.0)
        if expected_second is not None and not abs(auto - expected_second) <= RELATIVE_TOLERANCE * (
                scale + abs(expected_second)) + truncation + 1e-300:
            raise run.failure("the second derivative through the backward differs from the reference's",
                              f"directional second derivative: autograd {auto!r}, reference {expected_second!r}",
                              body=body, fact=f"autograd {auto:.6g}, reference {expected_second:.6g}")

    second_derivatives_agree()


def first_order_breaks(run: Runner, block: torch.nn.Module, ref: Any, tensors: dict[str, torch.Tensor],
                       x: torch.Tensor, prec: Any) -> str | None:
    """The first-order property (``forward`` or ``gradient``) the block breaks on this example (raising,
    or differing from the spec beyond its bounds, for an upstream gradient of ones), or None."""
    y_shape = run.expected(ref, x, None, prec)["y"].shape
    gy = torch.ones(y_shape, dtype=x.dtype, device=x.device)
    expected = run.expected(ref, x.detach(), gy, prec)
    xg = x.detach().clone().requires_grad_(run.spec.float_input)
    try:
        y = run.call("forward", lambda: block(xg), "")
    except AssertionError:
        return "forward"
    if not agrees(y, expected):
        return "forward"
    leaves = {name: t for name, t in tensors.items() if name in expected["grads"] and t.is_leaf and t.requires_grad}
    inputs = ([xg] if run.spec.float_input else []) + list(leaves.values())
    try:
        grads = run.call("backward", lambda: torch.autograd.grad(y, inputs, gy, allow_unused=True), "")
    except AssertionError:
        return "gradient"
    wanted = ([expected["gx"]] if run.spec.float_input else []) + [expected["grads"][n] for n in leaves]
    bounds = ([expected["egx"]] if run.spec.float_input else []) + [expected["grad_errors"][n] for n in leaves]
    for got, value, bound in zip(grads, wanted, bounds, strict=True):
        if (got is None and bool(np.any(value != 0))) or (got is not None and compare(to_numpy(got), value, bound)
                                                         is not None):
            return "gradient"
    return None


def which_second_derivatives(run: Runner, block: torch.nn.Module, x: torch.Tensor, seed: int, body: str) -> str:
    """The groups (the input, each parameter, the upstream gradient) along which the gradient's
    derivative disagrees: 'missing' where autograd gives 0 and the differences do not."""
    wrong = []
    for group in ["x", *(n for n, _ in block.named_parameters()), "gy"]:
        def along(group: str = group) -> "tuple[float, float | None, float] | str":
            return _graph_or_reason(lambda: second_derivatives(block, x, seed, group))

        found = run.call(f"second derivatives along {group}", along, body)
        if isinstance(found, str):
            continue
        auto, numeric, scale = found
        if numeric is not None and not abs(auto - numeric) <= RELATIVE_TOLERANCE * (scale + abs(numeric)) + 1e-300:
            what = "the input" if group == "x" else "the upstream gradient" if group == "gy" else repr(group)
            wrong.append(f"{'missing' if auto == 0 else 'wrong'} along {what} (autograd {auto:.6g}, "
                         f"finite difference {numeric:.6g})")
    return "; ".join(wrong) or "along the directions together"


#: What autograd says when a gradient has no graph to differentiate.
NO_GRAPH_MESSAGES = ("does not require grad", "does not have a grad_fn", "once_differentiable")


def _graph_or_reason(fn: Callable[[], tuple[float, float | None, float]]) -> "tuple[float, float | None, float] | str":
    """``fn()``, or why the gradient could not be differentiated (a missing graph, autograd's refusal)."""
    try:
        return fn()
    except NoGraph as exc:
        return str(exc)
    except RuntimeError as exc:
        if any(m in str(exc) for m in NO_GRAPH_MESSAGES):
            return str(exc).splitlines()[0]
        raise

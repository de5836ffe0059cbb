"""Shared steps of the checks: draw an example, call the target under a time limit, run the reference."""

from __future__ import annotations

import contextlib
import functools
import re
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterator, TypeVar

import numpy as np
import torch
from hypothesis import assume, reject
from hypothesis import strategies as st

import reference as R
from conformance.core.context import CheckContext
from conformance.core.failures import DECLARATION_AT_FAULT, UNBOUNDED, CheckFailure, NotChecked, fail
from conformance.core.framing import is_suite_assertion
from conformance.core.registry import Check
from conformance.drawing.anchors import AnchorData, NotApplicable, choices, simplest
from conformance.drawing.blocks import BlockSpec
from conformance.drawing.examples import ArraySpec, Example, is_lazy, seeded, write_parameters
from conformance.drawing.strategies import (
    ARRAY_PARTS,
    CONTIGUOUS_PARAM_PARTS,
    MANY_ROWS,
    PARAM_PARTS,
    SEEDS,
    WIDE,
    Parts,
    array_spec,
    derive_seed,
)
from conformance.judging.bridge import LayoutError, loaded_reference, to_numpy
from conformance.judging.tolerance import bound_limit, compact, compare, overflow_limit
from conformance.loading.wrappers import forward_view, has_pre_hooks, spec_names
from conformance.loading.wrappers import summary as describe_wrappers
from conformance.sandbox.timeouts import WARMUP_TIMEOUT_S, WARMUPS, TargetTimeout, time_limit
from reference.declared import DeclarationError
from reference.traced import UnsupportedOperation

T = TypeVar("T")


@dataclass
class Drawn:
    """A drawn example, the constructor arguments it came from, and what else the check asked for."""

    args: dict[str, Any]
    example: Example
    gy: Parts | None = None                             # (scale, special values, layout) of the upstream gradient
    extra: Any = None                                   # the check's own extra draw

    def gradient_spec(self, shape: tuple[int, ...]) -> ArraySpec:
        """The upstream gradient for an output of ``shape`` (its parts were drawn with the example)."""
        assert self.gy is not None, "draw_example(..., grad=True) draws the upstream gradient"
        return array_spec(shape, derive_seed(self.example.seed, 3), *self.gy)


@functools.lru_cache(maxsize=None)
def example_parts(spec: BlockSpec, args: st.SearchStrategy, dtype: str, with_args: bool,
                  leading: st.SearchStrategy | None, plain: bool, grad: bool, extra: st.SearchStrategy | None,
                  contiguous_params: bool = False) -> tuple[st.SearchStrategy, str]:
    """One flat tuple strategy for everything an example draws, and its label (built once per
    combination: Hypothesis validates a strategy on its first draw). ``args``: the constructor
    arguments drawn for this target (``BlockSpec.args_for``)."""
    parts: list[tuple[str, st.SearchStrategy]] = []
    if with_args:
        parts.append(("constructor arguments", args))
    parts.append(("seed", SEEDS))
    leading = leading if leading is not None else spec.leading(nonempty=plain)
    parts.append(("input shape" if spec.any_shape else "input leading dims", leading))
    values = ARRAY_PARTS[dtype]
    if not plain:
        parts.append(("parameter scale (None: the block's own init), special values, layout",
                      (CONTIGUOUS_PARAM_PARTS if contiguous_params else PARAM_PARTS)[dtype]))
        parts.append(("input scale, special values, layout", values))
    if grad:
        parts.append(("upstream gradient scale, special values, layout", values))
    if extra is not None:
        parts.append(("extra", extra))
    return st.tuples(*(s for _, s in parts)), "; ".join(label for label, _ in parts)


def draw_example(data: st.DataObject, ctx: CheckContext, spec: BlockSpec, dtype: str, *,
                 args: dict | None = None, leading: st.SearchStrategy | None = None,
                 width: Callable[[dict], int | None] | None = None, plain: bool = False, grad: bool = False,
                 extra: tuple[str, st.SearchStrategy] | None = None, contiguous_params: bool = False) -> Drawn:
    """Draw, in one labelled draw: constructor arguments (unless given), one seed (torch's while the
    block is built; the input's, the parameters' and the upstream gradient's are derived from it),
    the input's leading dims (``leading``, else the block's own), and scales and special values of
    the parameters (or None: the block's own init), the input and, with ``grad``, the upstream
    gradient, each with its memory layout (``arrays.LAYOUTS``). ``width(args)``: the input's last
    dim (default: the block's input width). ``plain``: the block's own init and standard normal
    values of a non-empty contiguous input.
    ``contiguous_params``: overwritten parameters keep the contiguous layout.
    ``extra``: (label, strategy) of one more value the check needs, returned as ``Drawn.extra``.
    A few thousand rows through a layer hundreds wide is discarded (``MANY_ROWS``, ``WIDE``): the
    reference would take seconds."""
    if isinstance(data, AnchorData):
        values = anchor_values(data, ctx, spec, args is None, leading if leading is not None else
                               spec.leading(nonempty=plain), plain, grad, extra)
    else:
        strategy, label = example_parts(spec, spec.args_for(ctx.target), dtype, args is None, leading, plain, grad,
                                        None if extra is None else extra[1], contiguous_params)
        values = list(data.draw(strategy, label=label if extra is None else label.replace("extra", extra[0])))
    if args is None:
        args = values.pop(0)
    seed, lead = values.pop(0), values.pop(0)
    last = (width or spec.input_width)(args)
    shape = tuple(lead) if last is None else tuple(lead) + (last,)
    if last is not None and int(np.prod(lead)) > MANY_ROWS:
        assume(largest_width(args) <= WIDE)
    params = None
    if plain:
        x = ArraySpec(shape, derive_seed(seed, 2))
    else:
        param_parts, (x_scale, x_values, x_layout) = values.pop(0), values.pop(0)
        if param_parts is not None:
            params = array_spec((), derive_seed(seed, 1), *param_parts)
        x = array_spec(shape, derive_seed(seed, 2), x_scale, x_values, x_layout)
    if spec.indices is not None:  # integer inputs (indices into a table): no scale, no special values
        x = replace(x, high=int(spec.indices(args)), scale=1.0, specials=())
    gy = values.pop(0) if grad else None
    example = Example(code=spec.code(args, ctx.target), dtype=dtype, seed=seed, x=x, params=params, device=ctx.device,
                      width=spec.input_width(args), anchor=data.label if isinstance(data, AnchorData) else None)
    return Drawn(args, example, gy, values.pop(0) if extra is not None else None)


def anchor_values(data: AnchorData, ctx: CheckContext, spec: BlockSpec, with_args: bool,
                  leading: st.SearchStrategy, plain: bool, grad: bool,
                  extra: tuple[str, st.SearchStrategy] | None) -> list[Any]:
    """The parts ``draw_example`` would draw, as the anchor case fixes them (in the same order); an
    anchor the check cannot take is skipped (rejected): sizes the target cannot build, leading dims
    outside what the check draws, special values where it draws plain ones."""
    anchor = data.anchor
    try:
        allowed = choices(leading)
        lead = data.leading()
        if allowed is not None and lead not in allowed:
            raise NotApplicable(f"leading dims {lead}")
        if plain and (anchor.x or anchor.gy):
            raise NotApplicable("special values in a plain example")
        values: list[Any] = []
        if with_args:
            args = data.args()
            if spec.restrict(args, ctx.target) != args:
                raise NotApplicable("sizes the target cannot build")
            values.append(args)
        values += [anchor.seed, lead]
        if not plain:
            params = None if anchor.params is None else (*anchor.params, "contiguous")
            values += [params, (1.0, anchor.x, "contiguous")]
        if grad:
            values.append((1.0, anchor.gy, "contiguous"))
        if extra is not None:
            values.append(simplest(extra[1]))
    except NotApplicable:
        reject()
    return values


def largest_width(args: Any) -> int:
    """The largest integer among constructor arguments (widths, nested in a plan's layers)."""
    if isinstance(args, bool):
        return 0
    if isinstance(args, int):
        return args
    if isinstance(args, dict):
        args = list(args.values())
    if isinstance(args, (list, tuple)):
        return max((largest_width(a) for a in args), default=0)
    return 0


def is_large(args: Any, shape: tuple[int, ...]) -> bool:
    """An example at the sizes where implementations switch paths: more than ``MANY_ROWS`` rows, a
    dim or a layer wider than ``WIDE``, or a chain of more than ten layers (for the benchmark)."""
    rows = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
    layers = args.get("layers", ()) if isinstance(args, dict) else ()
    return rows > MANY_ROWS or max(shape, default=0) > WIDE or largest_width(args) > WIDE or len(layers) > 10


def call_target(seconds: float | None, what: str, fn: Callable[[], T],
                failure_for: Callable[[str], AssertionError], label: str | None = None) -> T:
    """Call into the target under the per-call time limit. A hang or an exception is the target's
    finding: ``failure_for(problem)`` turns it into the check's failure; a hang escapes Hypothesis at
    once as a ``TargetTimeout`` carrying that failure (no shrinking, which would call the hanging code
    again). The target's own ``AssertionError`` is framed like any other exception; a failure of the
    check itself (a ``CheckFailure``, an ``assert`` of the suite) passes through."""
    try:
        with time_limit(seconds, label or what):
            return fn()
    except TargetTimeout as exc:
        found = failure_for(f"{what} hung: {exc}")
        limit = re.search(r"did not return within [\d.]+ s", str(exc))
        if limit and isinstance(found, CheckFailure):  # the one line: the call and the limit, not its options
            found.problem, found.fact = f"{what} hung", limit.group(0)
            found.detail = f"{exc}\n{found.detail}".strip("\n")
        timeout = TargetTimeout(str(found))
        timeout.failure = found  # type: ignore[attr-defined]  # the parts, for the reports
        raise timeout from None
    except AssertionError as exc:
        if is_suite_assertion(exc):  # the check's own failure (a nested call's), or a bug of the suite
            raise
        raise failure_for(f"{what} raised {type(exc).__name__}: {exc}") from exc  # the target's own assert
    except SystemExit as exc:  # the process is not the target's to end (see conformance.sandbox.exits)
        raise failure_for(f"{what} called sys.exit({exc.code!r}): the target tried to end the process") from exc
    except Exception as exc:  # noqa: BLE001 - the target's own error is the finding
        raise failure_for(f"{what} raised {type(exc).__name__}: {exc}") from exc


class Runner:
    """Calls into the target for one check: under the per-call time limit, turning an exception
    raised by the target into a failure that names the block and the call."""

    def __init__(self, ctx: CheckContext, check: Check, spec: BlockSpec, drawn: Drawn) -> None:
        self.ctx, self.check, self.spec, self.drawn = ctx, check, spec, drawn

    @property
    def example(self) -> Example:
        return self.drawn.example

    def failure(self, problem: str, detail: str = "", body: str = "", fact: str = "") -> AssertionError:
        edge = self.edge()
        return fail(self.check.id, problem + (f" [{edge}]" if edge else ""), detail, self.example,
                    self.ctx.target.load_code(), body, fact=fact)

    def edge(self) -> str:
        """The edge of the contract this example sits on, if any: an anchor case (named), a zero
        input width (the output is the bias) or an empty batch (an empty output), so a failure there
        is labelled as such."""
        if self.example.anchor and not self.example.anchor.endswith(".base"):  # (the base case is no edge)
            return f"anchor case {self.example.anchor}"
        width = self.spec.input_width(self.drawn.args)
        if width == 0:
            return "at the edge: input width 0"
        x = self.example.x
        if x is not None and not self.spec.any_shape and 0 in x.shape[:-1]:
            return f"at the edge: an empty batch, input shape {x.shape}"
        if x is not None and self.spec.any_shape and 0 in x.shape:
            return f"at the edge: an empty input, shape {x.shape}"
        return ""

    def cannot_judge(self, reason: str, cause: str) -> None:
        """This example cannot be judged because another check's property fails on it (``cause``):
        the example is rejected, and a check that judged no example at all is *not checked*."""
        self.ctx.cannot_judge(reason, cause)
        reject()

    @property
    def structure_id(self) -> str:
        return f"{self.spec.key}.structure"

    def owns(self, prop: str) -> bool:
        return self.check.property == prop

    def call(self, what: str, fn: Callable[[], T], body: str = "") -> T:
        warmed = len(WARMUPS)
        out = call_target(self.ctx.call_timeout, what, fn, lambda problem: self.failure(problem, body=body),
                          label=f"{self.spec.name}: {what}")
        for label, seconds, kind in WARMUPS[warmed:]:
            if not any(note.startswith(f"{label}: took") for note in self.ctx.notes):  # once per check
                self.ctx.note(f"{label}: took {seconds:.1f} s {kind} (warm-up of a compiled or scripted block, "
                              f"or of a module imported on first use: "
                              f"allowed up to {WARMUP_TIMEOUT_S:g} s, past the per-call limit of "
                              f"{self.ctx.call_timeout or 0:g} s, --check-timeout)")
        return out

    def expected(self, ref: R.Module, x: torch.Tensor, gy: torch.Tensor | None, prec,
                 nonfinite_norm: bool = False) -> dict:
        """The reference's results and bounds on the block's parameters; examples where the exact
        computation comes near overflow (or the reference itself refuses) are discarded before the
        target is called. A non-finite FixedHiddenMLP norm (``R.NonFiniteNorm``) is discarded too,
        unless the check passes ``nonfinite_norm=True``: then it propagates, for the
        check to hold the target to that contract."""
        try:
            with declaration_faults(self.spec):
                expected = R.run_forward_backward(ref, to_numpy(x), None if gy is None else to_numpy(gy), prec=prec)
        except R.NonFiniteNorm:
            if not nonfinite_norm:
                assume(False)
            raise
        except (ValueError, FloatingPointError) as exc:
            self.ctx.refused(f"{type(exc).__name__}: {exc}")
            assume(False)
        finally:
            self.declared_notes(ref)
        assume_representable(self.example.dtype, expected)
        if expected["y"].size == 0:
            self.ctx.trivial("an empty output")
        return expected

    def exercises(self, ref: R.Module) -> None:
        """Mark the example trivial when the spec's block holds no parameter or buffer although the
        block can (a chain of ReLUs, an empty container): it proves nothing of the parameters."""
        if self.spec.stateful and not ref.state_dict():
            self.ctx.trivial("no parameter or buffer in the block (a chain without a Linear)")

    def build(self) -> torch.nn.Module:
        """The example's block: constructed (seeded), moved to the dtype and device, sized by one
        forward if it is lazy, parameters overwritten if the example says so. Each step that raises
        is named; it is this check's failure in the structure check, else the example is not judged."""
        example, dtype = self.example, f"torch.{self.example.dtype}"
        steps = [(f"constructing {example.code}", "# (constructing the block above raised)"),
                 (f"block.to(device={example.device!r}, dtype={dtype})", "# (the .to() call above raised)"),
                 (f"the first forward of the lazy block (on torch.zeros(1, {example.width}))", "")]

        def step(i: int, fn: Callable[[], T]) -> T:
            return self.structural(steps[i][0], fn, steps[i][1])

        with seeded(example.seed, example.device):
            block = step(0, lambda: example.construct(self.ctx.target))
            if not isinstance(block, torch.nn.Module):
                problem = f"{example.code} built a {type(block).__name__}, not a torch.nn.Module"
                if self.owns("structure"):
                    raise self.failure(problem)
                self.cannot_judge(problem, self.structure_id)
            lazy = example.width is not None and is_lazy(block)
            block = step(1, lambda: block.to(device=example.device, dtype=getattr(torch, example.dtype)))
            if lazy:
                self.drawn.example = example = replace(example, lazy=True)
                self.ctx.note(f"{self.spec.name}: lazy (sized by one forward on an input of the right width "
                              "before any check reads its parameters)")
                step(2, lambda: example.size(block))
        if example.params is not None:  # listed through the target; written by the suite's own code
            write_parameters([p for _, p in self.named_parameters(block)], example.params, example.dtype)
        wrapped = describe_wrappers(block)
        if wrapped:
            self.ctx.note(f"{self.spec.name}: {wrapped}; its behaviour is judged through its forward, on the "
                          "tensors that forward uses")
        return block

    def reference(self, block: torch.nn.Module) -> tuple[R.Module, dict[str, torch.Tensor]]:
        """The spec's reference carrying the block's parameters. When they cannot be matched to the
        spec's layout, or the block has parameters beyond the spec's, that is the structure check's
        failure (this example is not judged here). Tensors a forward pre-hook recomputes (pruning,
        weight norm) are read as the forward sees them; a parametrization computes them when read."""
        ref, tensors = self.spec_tensors(block)
        self.judge_own_layout(block, tensors)
        self.exercises(ref)
        if has_pre_hooks(block):
            tensors = self.as_forward_sees(block, tensors)
            ref.load_state_dict({name: to_numpy(t) for name, t in tensors.items()})
        return ref, tensors

    def spec_tensors(self, block: torch.nn.Module) -> tuple[R.Module, dict[str, torch.Tensor]]:
        """The reference loaded with the block's tensors under the spec's names (read directly)."""
        from conformance.checks.layouts import layout_problem

        try:
            return loaded_reference(self.spec.reference(self.drawn.args), block)
        except (LayoutError, KeyError, ValueError) as exc:
            if not self.owns("structure"):
                try:
                    problem = layout_problem(block, self.spec.reference(self.drawn.args), self.ctx.target.unwrap)
                except Exception as listing:  # noqa: BLE001 - the structure check lists them too, and fails
                    problem = f"listing them raised {type(listing).__name__}: {listing}"
                if problem is not None:
                    self.cannot_judge(f"the block's parameters do not match the spec's layout: {problem}",
                                      self.structure_id)
            raise self.failure("the block's parameters do not match the spec's layout", str(exc),
                               body="print(block.state_dict().keys())") from None
        except Exception as exc:  # noqa: BLE001 - the target's own state_dict() failed
            problem = f"reading the block's parameters (state_dict()) raised {type(exc).__name__}: {exc}"
            if not self.owns("structure"):
                self.cannot_judge(problem, self.structure_id)  # the structure check reads them too, and fails
            raise self.failure(problem, body="print(block.state_dict().keys())") from exc

    def declared_notes(self, ref: R.Module) -> None:
        """What a declared block's report says of its reference: where its gradients and bounds come from."""
        source = getattr(ref, "gradient_source", None)  # a declared block's reference (reference.declared)
        if source and self.check.area in ("gradient", "lifecycle", "tying"):
            self.ctx.note(f"{self.spec.name}: the reference's gradients come from {source}; its rounding-error "
                          f"bounds from {ref.bound_source}")  # type: ignore[attr-defined]
        elif getattr(ref, "untraced", "") and self.check.area in ("forward", "saveload"):
            self.ctx.note(f"{self.spec.name}: the reference's bounds come from {ref.bound_source}")  # type: ignore[attr-defined]

    def judge_own_layout(self, block: torch.nn.Module, tensors: dict[str, torch.Tensor]) -> None:
        """Parameters beyond the spec's (an adapter's low-rank factors): the block's output is not the
        spec's function of the tensors the spec names, so the checks judging it against the reference
        cannot judge it (the structure check names them)."""
        used = {id(t) for t in tensors.values()}
        try:  # a block that cannot list them (its children keyed by object): the structure check says so
            mapped = self.call("named_parameters()", lambda: spec_names(
                block, [name for name, p in block.named_parameters() if id(p) not in used]))
        except AssertionError:
            return
        extra = [name for name, spec_name in mapped.items() if spec_name is None or spec_name not in tensors]
        if extra and not self.owns("structure"):
            self.cannot_judge(f"the block has parameters the spec does not name ({', '.join(extra)}): its output "
                              "is not the spec's function of the spec's parameters", self.structure_id)

    def as_forward_sees(self, block: torch.nn.Module, tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """The spec's tensors as the block's forward uses them, where a forward pre-hook recomputes
        them (pruning, weight norm): recorded during one forward on the example's input (no grad)."""
        x = self.example.input()
        with torch.no_grad(), forward_view(block, list(tensors)) as seen:
            try:
                self.call("forward (reading the tensors it uses after its forward pre-hooks)", lambda: block(x),
                          "y = block(x)")
            except AssertionError as raised:  # the forward's own raise is the check's to judge (a
                if raised.__cause__ is None:  # FixedHiddenMLP's ValueError on a non-finite norm is allowed):
                    raise                     # the hooks that ran before it have recomputed their tensors
        return {name: seen.get(name, t) for name, t in tensors.items()}

    def named_parameters(self, block: torch.nn.Module) -> list[tuple[str, torch.Tensor]]:
        return self.structural("named_parameters()", lambda: list(block.named_parameters()))

    def state_dict(self, block: torch.nn.Module, body: str = "") -> dict[str, Any]:
        """``block.state_dict()`` as the block returns it: with the ``_metadata`` (each module's state
        version) that ``torch.save`` keeps and a versioned loader reads (a quantized layer or an
        observer reads a state dict without it as an old layout), as a user's ``save(block.state_dict(), f)``
        has it."""
        return self.structural("state_dict()", lambda: block.state_dict(), body)

    def structural(self, what: str, fn: Callable[[], T], body: str = "") -> T:
        """Call into the target for what the structure check judges (building the block, moving it,
        listing its parameters or state dict): when it raises, that is the structure check's failure,
        and elsewhere this example is not judged (``cannot_judge``)."""
        try:
            return self.call(what, fn, body)
        except AssertionError as exc:
            if self.owns("structure") or exc.__cause__ is None:
                raise
            self.cannot_judge(f"{what} raised {type(exc.__cause__).__name__}: {exc.__cause__}", self.structure_id)
            raise  # unreachable: cannot_judge rejects the example

    def forward(self, what: str, fn: Callable[[], Any], body: str = "") -> torch.Tensor:
        """Call the block (``fn``): its output must be a tensor. Judging that is the forward check's;
        elsewhere an output of another type leaves the example unjudged."""
        y = self.call(what, fn, body)
        if not isinstance(y, torch.Tensor):
            problem = f"{what} returned a {type(y).__name__}, not a torch.Tensor"
            if self.owns("forward"):
                raise self.failure(problem, body=body)
            self.cannot_judge(problem, f"{self.spec.key}.forward[{self.example.dtype}]")
        return y


def raised_by(runner: Runner, what: str, fn: Callable[[], Any], body: str = "") -> tuple[Any, BaseException | None]:
    """Call the target where raising is the spec (a wrong-shaped input, a broken state dict): (its
    result, None), or (None, the exception it raised). A hang, ``sys.exit`` or ``os._exit`` stay the
    check's failures, framed like any other call's."""
    from conformance.core.failures import CheckFailure
    from conformance.sandbox.exits import TargetExit

    try:
        return runner.call(what, fn, body), None
    except CheckFailure as failed:
        cause = failed.__cause__
        if cause is None or isinstance(cause, (TargetExit, SystemExit)):
            raise
        return None, cause


def agrees(actual: Any, expected: dict) -> bool:
    """``actual`` is a tensor of the spec's output shape whose values are within the spec's bounds
    (``expected``: ``Runner.expected``'s): the quiet test other properties use to tell whether an
    example is their own to judge or already another check's finding."""
    return (isinstance(actual, torch.Tensor) and tuple(actual.shape) == expected["y"].shape
            and compare(to_numpy(actual), expected["y"], expected["ey"]) is None)


def check_output(runner: Runner, name: str, actual: torch.Tensor, expected: np.ndarray, bound: np.ndarray,
                 x: torch.Tensor, body: str, dtype: torch.dtype | None = None) -> None:
    """Shape, dtype, device and values of ``actual`` against the reference under the tolerance policy.
    The dtype expected: ``dtype``, else the input's (the example's for integer inputs)."""
    if not isinstance(actual, torch.Tensor):
        raise runner.failure(f"{name} is a {type(actual).__name__}, not a torch.Tensor", body=body)
    if tuple(actual.shape) != expected.shape:
        shapes = f"expected {expected.shape}, actual {tuple(actual.shape)}"
        raise runner.failure(f"{name} has the wrong shape", shapes, body=body, fact=shapes)
    dtype = dtype or (x.dtype if x.is_floating_point() else getattr(torch, runner.example.dtype))
    if actual.dtype != dtype:
        whose = "the input's" if x.dtype == dtype else "the block's"
        raise runner.failure(f"{name} has the wrong dtype",
                             f"expected {dtype} ({whose}), actual {actual.dtype}", body=body,
                             fact=f"expected {dtype}, actual {actual.dtype}")
    if actual.device != x.device:
        devices = f"expected {x.device}, actual {actual.device}"
        raise runner.failure(f"{name} is on the wrong device", devices, body=body, fact=devices)
    mismatch = compare(to_numpy(actual), expected, bound)
    if mismatch is not None:
        special = special_input(runner, x, mismatch.index)
        fact = mismatch.fact() if special is None else f"{mismatch.values()} at {special}"
        raise runner.failure(f"{name} differs from the reference beyond the rounding-error bound",
                             mismatch.describe() + input_at(runner, name, x, mismatch.index), body=body, fact=fact)


def relu_input(runner: Runner, x: torch.Tensor, index: tuple[int, ...]) -> tuple[str, float] | None:
    """For an elementwise block (ReLU: output and gradients have the input's shape), where the input is at
    ``index`` of an output (``x[1, 2]``, or ``x`` for a 0-d input) and its value there; else None."""
    inside = len(index) == x.dim() and all(0 <= i < n for i, n in zip(index, x.shape, strict=True))
    if not runner.spec.elementwise or not inside:
        return None
    where = f"x[{', '.join(map(str, index))}]" if index else "x"
    return where, float(x.detach()[index])


def special_kind(value: float, dtype: torch.dtype) -> str:
    """How an input value is special: "" (it is not), "exactly" (0, an infinity, NaN), or "exactly
    (a subnormal)"."""
    if value == 0 or value != value or abs(value) == float("inf"):
        return "exactly"
    return "exactly (a subnormal)" if abs(value) < torch.finfo(dtype).tiny else ""


def special_input(runner: Runner, x: torch.Tensor, index: tuple[int, ...]) -> str | None:
    """For the one-line summary, ``relu_input`` in a few words where that input is special (0, an
    infinity, NaN, a subnormal): ``x[1, 2] == -inf``, ``x == 2.93874e-39 (subnormal)``; else None."""
    found = relu_input(runner, x, index)
    kind = special_kind(found[1], x.dtype) if found is not None else ""
    if found is None or not kind:
        return None
    return f"{found[0]} == {compact(found[1])}" + (" (subnormal)" if "subnormal" in kind else "")


def input_at(runner: Runner, name: str, x: torch.Tensor, index: tuple[int, ...]) -> str:
    """For ReLU, the input value where the worst element is (``relu_input``), named exactly ("x ==
    0.0 exactly") when it is special, with the contract's convention there."""
    found = relu_input(runner, x, index)
    if found is None:
        return ""
    where, value = found
    kind = special_kind(value, x.dtype)
    text = f"\nthere the input is {where} == {value!r}" + (f" {kind}" if kind else "")
    if value == 0 and "gradient" in name:
        text += " (the contract follows torch: ReLU's gradient at exactly 0 is 0)"
    return text


@contextlib.contextmanager
def declaration_faults(spec: BlockSpec) -> Iterator[None]:
    """A declared reference that has no bound rule for an operation, or whose own code raises, is the
    declaration's fault, not the target's: the check is *not checked*, naming it."""
    try:
        yield
    except UnsupportedOperation as exc:
        raise NotChecked(UNBOUNDED.format(name=spec.name, what=exc)) from None
    except DeclarationError as exc:
        raise NotChecked(DECLARATION_AT_FAULT.format(name=spec.name, source=spec.source, what=exc)) from None


def assume_representable(dtype: str, expected: dict) -> None:
    """Discard examples whose exact intermediate results, or error bounds, come near the dtype's
    overflow threshold (``tolerance.overflow_limit``): the spec says nothing of overflow, so it is never
    blamed on the target."""
    torch_dtype = getattr(torch, dtype)
    limit, largest_bound = overflow_limit(torch_dtype), bound_limit(torch_dtype)
    bounds = [expected.get("ey"), expected.get("egx"), *expected.get("grad_errors", {}).values()]
    with np.errstate(invalid="ignore"):
        ok = expected["peak"] < limit and all(  # infinite bounds mark undetermined results, not overflow
            b is None or bool(np.all((np.abs(b) < largest_bound) | np.isinf(b))) for b in bounds)
    assume(ok)


def check_nonfinite_norm(runner: Runner, what: str, call: Callable[[], Any], body: str) -> None:
    """FixedHiddenMLP's contract for a NaN or infinite L1 norm: raise ValueError/RuntimeError or
    return a non-finite value, within the time limit; never a finite value."""
    try:
        y = runner.call(what, call, body)
    except AssertionError as failure:
        if isinstance(failure.__cause__, (ValueError, RuntimeError)):
            return
        raise
    if isinstance(y, torch.Tensor) and not bool(torch.isfinite(y.detach()).all()):
        return
    raise runner.failure("the hidden output's L1 norm is not finite, yet the block returned a finite value",
                         f"returned {y!r}; the spec asks for ValueError/RuntimeError or a non-finite value",
                         body=body)


def bit_identical(a: Any, b: Any) -> bool:
    """Same dtype, shape and values, NaN equal to NaN (a block may legitimately return NaN)."""
    if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and a.dtype == b.dtype and a.shape == b.shape):
        return False
    a, b = a.detach().cpu(), b.detach().cpu()
    nan = torch.isnan(a)
    return bool(torch.equal(nan, torch.isnan(b)) and torch.equal(a.masked_fill(nan, 0), b.masked_fill(nan, 0)))

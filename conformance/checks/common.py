"""Shared steps of the checks: draw an example, call the target under a time limit, run the reference."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, TypeVar

import numpy as np
import torch
from hypothesis import assume
from hypothesis import strategies as st

import reference as R

from ..blocks import BlockSpec
from ..bridge import LayoutError, loaded_reference, to_numpy
from ..context import CheckContext
from ..examples import ArraySpec, Example
from ..failures import fail
from ..registry import Check
from ..strategies import SEEDS, draw_array, draw_params
from ..timeouts import TargetTimeout, time_limit
from ..tolerance import compare, max_finite

T = TypeVar("T")


@dataclass
class Drawn:
    """A drawn example and the constructor arguments it came from."""

    args: dict[str, Any]
    example: Example


def draw_example(data: st.DataObject, ctx: CheckContext, spec: BlockSpec, dtype: str,
                 args: dict | None = None, shape: tuple[int, ...] | None = None, plain: bool = False) -> Drawn:
    """Draw constructor arguments, a torch seed, maybe parameter values, and an input.
    ``plain``: the block's own init and standard normal inputs (no special values)."""
    if args is None:
        args = data.draw(spec.args, label="constructor arguments")
    seed = data.draw(SEEDS, label="torch seed")
    params = None if plain else draw_params(data, dtype)
    if shape is None:
        shape = spec.draw_input_shape(data, args)
    if plain:
        x = ArraySpec(tuple(shape), data.draw(SEEDS, label="input seed"))
    else:
        x = draw_array(data, shape, dtype, "input values")
    example = Example(code=spec.code(args, ctx.target), dtype=dtype, seed=seed, x=x, params=params, device=ctx.device)
    return Drawn(args, example)


def call_target(seconds: float | None, what: str, fn: Callable[[], T],
                failure_for: Callable[[str], AssertionError], label: str | None = None) -> T:
    """Call into the target under the per-call time limit. A hang or an exception is the target's
    finding: ``failure_for(problem)`` turns it into the check's failure; a hang escapes Hypothesis at
    once as a ``TargetTimeout`` carrying that failure (no shrinking, which would call the hanging code
    again). A failure of the check itself passes through."""
    try:
        with time_limit(seconds, label or what):
            return fn()
    except TargetTimeout as exc:
        found = failure_for(f"{what} hung: {exc}")
        timeout = TargetTimeout(str(found))
        timeout.failure = found  # type: ignore[attr-defined]  # the parts, for the reports
        raise timeout from None
    except AssertionError:
        raise
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

    def failure(self, problem: str, detail: str = "", body: str = "") -> AssertionError:
        return fail(self.check.id, problem, detail, self.example, self.ctx.target.spec, body)

    def call(self, what: str, fn: Callable[[], T], body: str = "") -> T:
        return call_target(self.ctx.call_timeout, what, fn, lambda problem: self.failure(problem, body=body),
                           label=f"{self.spec.name}: {what}")

    def expected(self, ref: R.Module, x: torch.Tensor, gy: torch.Tensor | None, prec) -> dict:
        """The reference's results and bounds on the block's parameters; examples where the exact
        computation comes near overflow (or the reference itself refuses, e.g. a non-finite norm)
        are discarded before the target is called."""
        try:
            expected = R.run_forward_backward(ref, to_numpy(x), None if gy is None else to_numpy(gy), prec=prec)
        except (ValueError, FloatingPointError):
            assume(False)
        assume_representable(self.example.dtype, expected)
        return expected

    def build(self) -> torch.nn.Module:
        return self.call(f"constructing {self.example.code}", lambda: self.example.build(self.ctx.target),
                         body="# (constructing the block above raised)")

    def reference(self, block: torch.nn.Module) -> tuple[R.Module, dict[str, torch.Tensor]]:
        try:
            return loaded_reference(self.spec.reference(self.drawn.args), block)
        except (LayoutError, KeyError, ValueError) as exc:
            raise self.failure("the block's parameters do not match the spec's layout", str(exc),
                               body="print(block.state_dict().keys())") from None
        except Exception as exc:  # noqa: BLE001 - the target's own state_dict() failed
            raise self.failure(f"reading the block's parameters (state_dict()) raised {type(exc).__name__}: {exc}",
                               body="print(block.state_dict().keys())") from exc


def check_output(runner: Runner, name: str, actual: torch.Tensor, expected: np.ndarray, bound: np.ndarray,
                 x: torch.Tensor, body: str) -> None:
    """Shape, dtype, device and values of ``actual`` against the reference under the tolerance policy."""
    if not isinstance(actual, torch.Tensor):
        raise runner.failure(f"{name} is a {type(actual).__name__}, not a torch.Tensor", body=body)
    if tuple(actual.shape) != expected.shape:
        raise runner.failure(f"{name} has the wrong shape",
                             f"expected {expected.shape}, actual {tuple(actual.shape)}", body=body)
    if actual.dtype != x.dtype:
        raise runner.failure(f"{name} has the wrong dtype",
                             f"expected {x.dtype} (the input's), actual {actual.dtype}", body=body)
    if actual.device != x.device:
        raise runner.failure(f"{name} is on the wrong device",
                             f"expected {x.device}, actual {actual.device}", body=body)
    mismatch = compare(to_numpy(actual), expected, bound)
    if mismatch is not None:
        raise runner.failure(f"{name} differs from the reference beyond the rounding-error bound",
                             mismatch.describe(), body=body)


#: Headroom below the dtype's largest finite value that every intermediate result must keep:
#: a dot product's partial sums may exceed its inputs and result by the reduction length (<= 1e3 here).
OVERFLOW_HEADROOM = 1e4


def assume_representable(dtype: str, expected: dict) -> None:
    """Discard examples whose exact intermediate results, or error bounds, come near the dtype's
    overflow threshold: the spec says nothing of overflow, so it is never blamed on the target."""
    limit = max_finite(getattr(torch, dtype)) / OVERFLOW_HEADROOM
    bounds = [expected.get("ey"), expected.get("egx"), *expected.get("grad_errors", {}).values()]
    with np.errstate(invalid="ignore"):
        ok = expected["peak"] < limit and all(
            b is None or bool(np.all(np.abs(b) < limit * 1e-8)) for b in bounds)
    assume(ok)

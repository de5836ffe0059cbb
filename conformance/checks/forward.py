"""Forward checks: output shape, dtype and values against the reference on the block's own
parameters, on a first input, another of the same shape and one of another shape; the input left
untouched; repeated calls agreeing; wrong-shaped input rejected."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

import reference as R
from conformance.checks.common import Runner, bit_identical, check_nonfinite_norm, check_output, draw_example, raised_by
from conformance.core.context import CheckContext
from conformance.core.registry import Check
from conformance.drawing.blocks import BlockSpec, plan_has_linear
from conformance.judging.bridge import to_numpy

FORWARD_BODY = """y = block(x)
from conformance.judging.bridge import reference_forward
print("actual:  ", y)
print("expected:", reference_forward({key!r}, {args!r}, block, x))"""


RESIZED_BODY = """block(x)  # a first call, at x's shape
x2 = {x2}
y2 = block(x2)
from conformance.judging.bridge import reference_forward
print("actual:  ", y2)
print("expected:", reference_forward({key!r}, {args!r}, block, x2))"""


def another_shape(spec: BlockSpec, shape: tuple[int, ...]) -> tuple[int, ...]:
    """An input shape the block takes besides ``shape``: one more row (first dim + 1), a batch of 2
    of an unbatched input, a vector of 2 for a scalar."""
    if not shape or (len(shape) == 1 and not spec.any_shape):
        return (2,) + shape
    return (shape[0] + 1,) + shape[1:]


def check_forward(ctx: CheckContext, check: Check, *, spec: BlockSpec, dtype: str) -> None:
    prec = ctx.precision(check.id, dtype)

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def forward_matches_reference(data: st.DataObject) -> None:
        drawn = draw_example(data, ctx, spec, dtype)
        run = Runner(ctx, check, spec, drawn)
        body = FORWARD_BODY.format(key=spec.key, args=drawn.args)
        block = run.build()
        x = run.example.input()
        x_before, version_before, stride_before = x.clone(), x._version, x.stride()

        ref, _ = run.reference(block)
        try:  # before the target runs: overflow is not its fault
            expected = run.expected(ref, x, None, prec, nonfinite_norm=True)
        except R.NonFiniteNorm:
            check_nonfinite_norm(run, "forward with a non-finite hidden norm", lambda: block(x), body)
            return
        y = run.call("forward", lambda: block(x), body)
        check_output(run, "the output", y, expected["y"], expected["ey"], x, body)

        if (x._version != version_before or not bit_identical(x, x_before)
                or x.stride() != stride_before):
            raise run.failure("forward modified its input in place", body=body + "\nprint(x)")
        # Another input of the same shape: an output cached by shape (or by call count) shows here.
        x_spec = run.example.x
        assert x_spec is not None  # as run.example.input() above asserts
        other = run.example.tensor(replace(x_spec, seed=x_spec.seed + 1))
        expected_other = run.expected(ref, other, None, prec)
        y_other = run.call("forward on another input of the same shape", lambda: block(other), body)
        check_output(run, "the output on a second, different input (x with seed + 1)", y_other,
                     expected_other["y"], expected_other["ey"], other, body)
        # An input of another shape: a size, a count or a buffer kept from the first call shows here.
        grown = another_shape(spec, tuple(x_spec.shape))
        resized_spec = replace(x_spec, shape=grown, seed=x_spec.seed + 2)
        resized = run.example.tensor(resized_spec)
        expected_resized = run.expected(ref, resized, None, prec)
        resized_body = RESIZED_BODY.format(key=spec.key, args=drawn.args,
                                           x2=resized_spec.code(dtype, run.example.device))
        y_resized = run.call("forward on an input of another shape", lambda: block(resized), resized_body)
        check_output(run, f"the output on an input of another shape, {grown}, after one of shape {tuple(x.shape)}",
                     y_resized, expected_resized["y"], expected_resized["ey"], resized, resized_body)
        y_again = run.call("a second forward", lambda: block(x), body)
        if ctx.device != "cpu":  # GPU kernels may legitimately reduce in a varying order
            check_output(run, "the second output", y_again, expected["y"], expected["ey"], x, body)
        elif not bit_identical(y_again, y):
            diff = float(np.nanmax(np.abs(to_numpy(y_again) - to_numpy(y)), initial=0.0))
            raise run.failure("two calls on the same input disagree", f"max |difference| {diff:.3g}",
                              body="print(block(x) - block(x))")

    forward_matches_reference()


def check_bad_input(ctx: CheckContext, check: Check, *, spec: BlockSpec) -> None:
    """An input whose last dim is not the block's input width must raise, not return."""

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def wrong_width_raises(data: st.DataObject) -> None:
        drawn = draw_example(data, ctx, spec, "float32", leading=spec.leading(nonempty=True), width=spec.wrong_width)
        args = drawn.args
        assume(not spec.container or plan_has_linear(args))  # a chain of ReLUs takes any width
        run = Runner(ctx, check, spec, drawn)
        block = run.build()
        x = run.example.input()
        body = "print(block(x))  # should raise"
        y, raised = raised_by(run, "forward on a wrong-shaped input", lambda: block(x), body)
        if raised is not None:  # raising (any exception) is the specified behaviour
            return
        raise run.failure(
            "a wrong-shaped input was accepted instead of raising",
            f"input shape {tuple(x.shape)} (the block takes last dim {spec.input_width(args)}); "
            f"it returned {type(y).__name__} {tuple(getattr(y, 'shape', ()))}",
            body="print(block(x))  # should raise",
        )

    wrong_width_raises()

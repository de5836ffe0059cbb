"""Gradient checks: autograd's input and parameter gradients against the reference backward for a
drawn upstream gradient, which backward leaves as it was; every parameter gets one; ``.grad`` is None
before the first backward.

Inputs and upstream gradients come in any layout (a transposed or sliced upstream gradient is what
a ``.T`` or a slice further down hands back) and may hold NaN and infinities. What the spec states
about non-finite gradients, block by block (``reference/``): Linear's dx = dy @ W, dW = dy^T x and
db = sum dy follow the IEEE product and sum rules exactly (an infinite input gives infinite or NaN
weight gradients where it meets dy); ReLU passes dy where x > 0 and gives 0 where x <= 0 for a
finite dy (for a non-finite one ``dy * 0`` is 0 or NaN: undetermined, any value accepted), and at a
NaN input it does not say (any value accepted); CenteredLayer spreads a non-finite dy
to every entry. Where the spec cannot determine a result (an infinity meeting a value within its
error of 0 or a subnormal), any value is accepted there. FixedHiddenMLP with a non-finite norm
states no gradient: those examples are discarded here (the forward check holds it to its contract)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from conformance.checks.common import Runner, bit_identical, check_output, draw_example
from conformance.core.context import CheckContext
from conformance.core.registry import Check
from conformance.drawing.blocks import BlockSpec
from conformance.loading.wrappers import forward_view

GRADIENT_BODY = """x.requires_grad_(True)
block(x).backward(gy)
print("input grad:", x.grad)
for name, p in block.named_parameters():
    print(name, p.grad)"""


def check_gradient(ctx: CheckContext, check: Check, *, spec: BlockSpec, dtype: str) -> None:
    prec = ctx.precision(check.id, dtype)

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def gradients_match_reference(data: st.DataObject) -> None:
        drawn = draw_example(data, ctx, spec, dtype, grad=True)
        run = Runner(ctx, check, spec, drawn)
        block = run.build()
        ref, tensors = run.reference(block)
        x = run.example.input()
        out_shape = run.expected(ref, x, None, prec)["y"].shape
        gy_spec = drawn.gradient_spec(out_shape)
        drawn.example = replace(run.example, gy=gy_spec)
        body = GRADIENT_BODY
        gy = run.example.tensor(gy_spec)
        x.requires_grad_(spec.float_input)  # integer inputs (indices) have no gradient

        params = [(name, tensors[name]) for name in ref.grad_dict()]  # the spec's parameters, under every name
        leaves = [(name, p) for name, p in params if p.is_leaf]
        if any(not p.is_leaf for _, p in params):  # computed by a wrapper: the stored ones too
            leaves += [(name, p) for name, p in run.named_parameters(block) if all(p is not q for _, q in params)]
        stale = [name for name, p in leaves if p.grad is not None]
        if stale:
            raise run.failure("parameters have a .grad before any backward", f"{stale}", body=body)

        expected = run.expected(ref, x.detach(), gy, prec)  # before the target runs: overflow is not its fault
        # The gradients of the tensors this forward uses: a parametrized or pruned weight is computed
        # from the block's parameters, and its gradient is the one the spec states.
        with forward_view(block, [name for name, _ in params], retain_grad=True) as seen:
            y = run.forward("forward", lambda: block(x), body)
        params = [(name, seen.get(name, p)) for name, p in params]
        if not y.requires_grad:
            raise run.failure("the output does not require grad: autograd cannot reach the input or parameters",
                              body="print(block(x).requires_grad)")
        if tuple(y.shape) != out_shape:
            raise run.failure("the output has the wrong shape",
                              f"expected {out_shape}, actual {tuple(y.shape)}", body=body)
        gy_before = gy.clone()
        run.call("backward", lambda: y.backward(gy), body)
        if not bit_identical(gy, gy_before):  # autograd hands the same tensor to every branch that uses y
            raise run.failure("backward modified the upstream gradient in place",
                              "a block whose output also feeds another branch (a residual, a sum) then gives "
                              "that branch the modified gradient", body=body + "\nprint(gy)",
                              fact="the upstream gradient changed")

        if spec.float_input:
            if x.grad is None:
                raise run.failure("the input received no gradient", body=body)
            check_output(run, "the input gradient", x.grad, expected["gx"], expected["egx"], x, body)
        for name, p in params:
            grad = seen.gradient(name, p.grad if p.is_leaf or p.retains_grad else None)
            if grad is None:
                raise run.failure(f"parameter {name!r} received no gradient", body=body)
            check_output(run, f"the gradient of {name!r}", grad, expected["grads"][name],
                         expected["grad_errors"][name], x, body)

    gradients_match_reference()

"""Structure checks: parameter and state_dict names, shapes and order as the spec lays them out;
parameters require grad; ``repr`` works; containers index, count, register and append like
``torch.nn.Sequential``."""

from __future__ import annotations

from typing import Any, Callable

import torch
from hypothesis import given
from hypothesis import strategies as st

import reference as R
from conformance.checks.common import Runner, check_output, draw_example, raised_by
from conformance.checks.layouts import block_layouts, layout, layout_problem
from conformance.core.context import CheckContext
from conformance.core.registry import Check
from conformance.drawing.blocks import BlockSpec, layer_codes, leaf_call, plan_output_width, plan_reference
from conformance.drawing.examples import seeded
from conformance.judging.bridge import LayoutError, loaded_reference, to_numpy
from conformance.loading.wrappers import describe, layout_hint, spec_listing

LAYOUT_BODY = """for name, p in block.named_parameters():
    print(name, tuple(p.shape), p.requires_grad)
print(list(block.state_dict()))"""


#: Where the contract's layout follows torch, and surprises people: said in the failure.
#: How ``Runner.reference`` says the block's parameters are not laid out as the spec's.
MISLAID = ("the block's parameters do not match the spec's layout", "the block has parameters the spec does not name")


class Mislaid(Exception):
    """The block's parameters do not match the spec's layout (``own_reference``)."""


def own_reference(run: Runner, block: torch.nn.Module) -> tuple[R.Module | None, dict[str, torch.Tensor], str]:
    """``run.reference(block)`` and "", for a check that judges the block against itself (save/load
    bit-identity, autograd against finite differences) and needs nothing of the spec's layout; where
    the block's parameters do not match it (renamed, non-tensor state, an adapter's extra factors:
    the structure check's failure), (None, {}, why) instead of leaving the example unjudged. Any
    other reason the reference cannot be read leaves the example unjudged, as ``run.reference`` does."""
    judge = run.cannot_judge

    def mislaid(reason: str, cause: str) -> None:
        if cause == run.structure_id and reason.startswith(MISLAID):
            raise Mislaid(reason)
        judge(reason, cause)

    run.cannot_judge = mislaid  # type: ignore[method-assign]
    try:
        ref, tensors = run.reference(block)
        return ref, tensors, ""
    except Mislaid as exc:
        return None, {}, str(exc)
    finally:
        del run.cannot_judge  # the class's own again


def own_forward(run: Runner, mislaid: str, fn: Callable[[], Any], body: str, grad: bool = False) -> torch.Tensor:
    """The block's output, for a check judging a block whose parameters do not match the spec's
    layout (``mislaid``, from ``own_reference``) against itself. A forward that raises, returns no
    tensor or (``grad``) an output autograd cannot differentiate is the forward or gradient checks'
    finding, which cannot judge such a block either: the example is not judged (see structure)."""
    y, raised = raised_by(run, "forward", fn, body)
    problem = (f"its forward raised {type(raised).__name__}: {raised}" if raised is not None
               else f"its forward returned a {type(y).__name__}, not a torch.Tensor" if not isinstance(y, torch.Tensor)
               else "its output does not require grad" if grad and not y.requires_grad else "")
    if problem:
        run.cannot_judge(f"{mislaid.split(': ')[0]}, and {problem} (the forward and gradient checks cannot "
                         "judge that on such a block either)", run.structure_id)
    return y


def check_structure(ctx: CheckContext, check: Check, *, spec: BlockSpec) -> None:

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def layout_matches_spec(data: st.DataObject) -> None:
        drawn = draw_example(data, ctx, spec, "float32")
        run = Runner(ctx, check, spec, drawn)
        block = run.build()
        ref = spec.reference(drawn.args)
        unwrap = ctx.target.unwrap
        problem = run.call("named_parameters() and state_dict()", lambda: layout_problem(block, ref, unwrap),
                           LAYOUT_BODY)
        if problem is not None:
            expected = {"named_parameters()": layout(ref.named_parameters()),
                        "state_dict()": layout(ref.state_dict().items())}
            actual = block_layouts(block, ref, unwrap)
            what = "named_parameters()" if problem.startswith("named") else "state_dict()"
            hint = f"\n({spec.follows_torch})" if spec.follows_torch else ""
            listed = [name for name, _ in (block.named_parameters() if what.startswith("named") else
                                           block.state_dict().items())]
            hint += layout_hint(block, [name for name, _ in expected[what]], listed, unwrap)
            raise run.failure(problem, f"expected {expected[what]}\nactual   {actual[what]}{hint}", body=LAYOUT_BODY)
        if unwrap and describe(block):
            ctx.note(f"{check.id}: judged by the layout of the module inside ({describe(block)}), as --unwrap asks")
        frozen = [name for name, p in block.named_parameters() if not p.requires_grad]
        if frozen:
            raise run.failure("parameters do not require grad", f"{frozen}", body=LAYOUT_BODY)
        text = run.call("repr()", lambda: repr(block), "print(repr(block))")
        if not isinstance(text, str) or not text:
            raise run.failure("repr() did not return a non-empty string", body="print(repr(block))")

    layout_matches_spec()


APPENDED_OUT = ("appended Linear's out_features", st.integers(1, 4))


def check_container(ctx: CheckContext, check: Check, *, spec: BlockSpec) -> None:
    """``seq[i]`` is the i-th block given, ``len(seq)`` counts them, children are registered (their
    parameters are visible), and ``add_module(name, block)`` appends a block that then runs last, also
    after the container has run."""

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def behaves_like_sequential(data: st.DataObject) -> None:
        drawn = draw_example(data, ctx, spec, "float32", extra=APPENDED_OUT)
        run = Runner(ctx, check, spec, drawn)
        parts = layer_codes(drawn.args, ctx.target)
        env = {"target": ctx.target, "nn": torch.nn}
        with seeded(drawn.example.seed):
            children = [eval(code, env) for code in parts]  # noqa: S307
        seq = run.call(f"constructing {spec.name}", lambda: ctx.target.get(spec.name)(*children))
        body = f"children = [{', '.join(parts)}]\nseq = target.{spec.name}(*children)"

        n = run.call("len()", lambda: len(seq), body + "\nprint(len(seq))")
        if n != len(children):
            raise run.failure("len() does not count the blocks", f"expected {len(children)}, actual {n}", body=body)
        for i, child in enumerate(children):
            # mypy cannot infer the type of a lambda with a default argument (hence the ignore)
            got = run.call(f"seq[{i}]", lambda i=i: seq[i], body + f"\nprint(seq[{i}])")  # type: ignore[misc]
            if got is not child:
                raise run.failure(f"seq[{i}] is not the block given at position {i}",
                                  f"expected {child!r}, actual {got!r}",
                                  body=body + f"\nprint(seq[{i}] is children[{i}])")
        registered = list(seq.children())
        if len(registered) != len(children) or any(a is not b for a, b in zip(registered, children, strict=True)):
            raise run.failure("the blocks are not registered as children, in order",
                              f"children() gave {registered!r}", body=body + "\nprint(list(seq.children()))")
        names = [name for name, _ in seq.named_children()]
        if names != [str(i) for i in range(len(children))]:
            raise run.failure('children are not named "0", "1", ...', f"named_children() names: {names}",
                              body=body + "\nprint([n for n, _ in seq.named_children()])")

        # one forward first: a container that fixes its chain at its first call (a cached tuple of
        # its children) must still run a block added after it
        x = run.example.input()
        try:
            run.call("forward before add_module", lambda: seq(x), body + "\nseq(x)")
        except AssertionError as raised:  # the container's forward raising is the forward check's finding
            if raised.__cause__ is None:
                raise
            run.cannot_judge(f"the container's forward raised {type(raised.__cause__).__name__}",
                             f"{spec.key}.forward[float32]")
        body += "\nseq(x)  # a first forward, before add_module"
        width = plan_output_width(drawn.args)
        extra_out = drawn.extra
        with seeded(drawn.example.seed + 1):
            extra = eval(leaf_call(ctx.target, "Linear", width, extra_out), env)  # noqa: S307
        append = f"\nextra = {leaf_call(ctx.target, 'Linear', width, extra_out)}\nseq.add_module('extra', extra)"
        run.call("add_module('extra', block)", lambda: seq.add_module("extra", extra), body + append)
        n = run.call("len()", lambda: len(seq), body + append + "\nprint(len(seq))")
        if n != len(children) + 1:
            raise run.failure("after add_module, len() does not count the new block",
                              f"expected {len(children) + 1}, actual {n}", body=body + append)
        last = run.call(f"seq[{n - 1}]", lambda: seq[n - 1], body + append)
        if last is not extra:
            raise run.failure("after add_module, the last index is not the new block", body=body + append)
        ref = plan_reference(drawn.args)
        ref.add_module("extra", R.Linear(width, extra_out))
        actual_keys, expected_keys = list(seq.state_dict()), list(ref.state_dict())
        if actual_keys != expected_keys and describe(seq):  # wrapped leaves: the spec names they stand for
            actual_keys = spec_listing(seq, actual_keys, expected_keys)
            if not ctx.target.unwrap and actual_keys == expected_keys:
                run.cannot_judge(f"the container's state dict lists its leaves under a wrapper's names "
                                 f"({describe(seq)})", run.structure_id)
        added = [k for k in expected_keys if k.startswith("extra.")]
        if sorted(actual_keys[len(actual_keys) - len(added):]) != sorted(added):
            raise run.failure("after add_module, state_dict() does not list the new block's parameters last",
                              f"expected {expected_keys}\nactual   {actual_keys}", body=body + append)
        if actual_keys != expected_keys:  # the leaves' own names or order: the structure check's finding
            run.cannot_judge("the container's state dict lists its leaves' tensors otherwise than the spec's "
                             f"(expected {expected_keys}, actual {actual_keys})", run.structure_id)
        y = run.call("forward after add_module", lambda: seq(x), body + append + "\nprint(seq(x))")
        try:  # the tensors the forward reads, under the spec's names (a parametrized weight as computed)
            loaded_reference(ref, seq)
        except (LayoutError, KeyError, ValueError) as exc:
            run.cannot_judge(f"the container's tensors do not match the spec's layout ({exc})", run.structure_id)
        prec = ctx.precision(check.id, "float32")
        expected = R.run_forward_backward(ref, to_numpy(x), prec=prec)
        check_output(run, "the output after add_module (the new block must run last)", y, expected["y"], expected["ey"],
                     x, body + append + "\nprint(seq(x))")

    behaves_like_sequential()

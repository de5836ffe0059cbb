"""Checks of specific semantics: row independence, buffers, the FixedHiddenMLP loop's termination,
and the tutorial's ways of reaching parameters (``net[2].bias``, ``rgnet[0][1][0].bias``)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks.common import Runner, agrees, check_nonfinite_norm, draw_example
from conformance.checks.init.sampling import SUPPORT_RTOL
from conformance.core.context import CheckContext
from conformance.core.failures import DECLARATION_AT_FAULT, NotChecked
from conformance.core.registry import Check
from conformance.drawing.blocks import BlockSpec
from conformance.drawing.strategies import SEVERAL_ROWS
from conformance.judging.bridge import to_numpy
from conformance.judging.tolerance import compare
from conformance.loading.wrappers import computed, spec_names

ROW_BODY = """rows = x.reshape(-1, x.shape[-1])
together = block(rows)
alone = torch.cat([block(rows[i:i + 1]) for i in range(len(rows))])
print((together - alone).abs().max())"""


def check_independence(ctx: CheckContext, check: Check, *, spec: BlockSpec, dtype: str) -> None:
    """Row-wise blocks: each row's output is that row's output computed alone (within twice the
    rounding bound: both are correct computations of the same exact value)."""
    prec = ctx.precision(check.id, dtype)

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def rows_are_independent(data: st.DataObject) -> None:
        drawn = draw_example(data, ctx, spec, dtype, leading=SEVERAL_ROWS)
        width = spec.input_width(drawn.args)
        assert width is not None  # registered only for blocks with a known input width
        run = Runner(ctx, check, spec, drawn)
        block = run.build()
        ref, _ = run.reference(block)
        x = run.example.input()
        rows = x.reshape(int(np.prod(x.shape[:-1])), width)  # (-1 is ambiguous at width 0)
        expected = run.expected(ref, rows, None, prec)
        together = run.forward("forward on all rows", lambda: block(rows), ROW_BODY)
        for i in range(rows.shape[0]):
            # mypy cannot infer the type of a lambda with a default argument (hence the ignore)
            alone = run.call(f"forward on row {i} alone",
                             lambda i=i: block(rows[i:i + 1]), ROW_BODY)  # type: ignore[misc]
            want = (1,) + tuple(together.shape[1:]) if isinstance(together, torch.Tensor) else None
            if not isinstance(alone, torch.Tensor) or want is None or tuple(alone.shape) != want:
                raise run.failure(f"row {i} alone gives an output of another shape than its row of the batch",
                                  f"alone {tuple(getattr(alone, 'shape', ()))}, expected {want}", body=ROW_BODY)
            mismatch = compare(to_numpy(alone)[0], to_numpy(together)[i], 2 * expected["ey"][i])
            if mismatch is not None:
                if not agrees(together, expected):  # the bound is the spec's function's: judged only there
                    run.cannot_judge("the block's output on the batch already differs from the spec's",
                                     f"{spec.key}.forward[{dtype}]")
                reference_alone = run.expected(ref, rows[i:i + 1], None, prec)
                if compare(reference_alone["y"][0], expected["y"][i], reference_alone["ey"][0] + expected["ey"][i]):
                    raise NotChecked(DECLARATION_AT_FAULT.format(
                        name=spec.name, source=spec.source or "the chapter",
                        what=f"its own reference gives row {i} alone another output than in the batch, so the "
                             "block is not row-wise: declare it with rowwise=False"))
                raise run.failure(f"row {i}'s output depends on the other rows", mismatch.describe(), body=ROW_BODY,
                                  fact=mismatch.fact())

    rows_are_independent()


BUFFER_BODY = """print(dict(block.named_buffers()).keys(), [n for n, _ in block.named_parameters()])
block(x).backward()
print({n: b.grad for n, b in block.named_buffers()})"""


def check_buffers(ctx: CheckContext, check: Check, *, spec: BlockSpec) -> None:
    """Every buffer of the spec is a registered buffer (so state_dict and ``.to`` see it), is not a
    parameter, does not require grad, and receives no gradient from a backward pass."""

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def buffers_are_constants(data: st.DataObject) -> None:
        drawn = draw_example(data, ctx, spec, "float64")
        run = Runner(ctx, check, spec, drawn)
        block = run.build()
        wanted = list(spec.reference(drawn.args).buffers_named())
        buffers = dict(block.named_buffers())
        params = dict(block.named_parameters())
        for name in wanted:
            if name in params:
                raise run.failure(f"{name!r} is a parameter; the spec makes it a constant buffer", body=BUFFER_BODY)
            if name not in buffers:
                raise run.failure(f"{name!r} is not a registered buffer (register_buffer), so state_dict() and "
                                  "save/load do not see it", f"buffers: {list(buffers)}", body=BUFFER_BODY)
            if buffers[name].requires_grad:
                raise run.failure(f"buffer {name!r} requires grad", body=BUFFER_BODY)
            declared = spec.init.get(name)
            law = declared.law(drawn.args) if declared is not None else None
            values = to_numpy(buffers[name].detach()).ravel()
            if law is not None and values.size and not bool(np.all(law.contains(values, SUPPORT_RTOL))):
                raise run.failure(f"buffer {name!r} does not follow its law, {law}: values outside it",
                                  f"min {float(values.min())}, max {float(values.max())}", body=BUFFER_BODY)
        x = run.example.input()
        ref, _ = run.reference(block)
        run.expected(ref, x, None, ctx.precision(check.id, "float64"))
        y = run.forward("forward", lambda: block(x), BUFFER_BODY)
        if y.requires_grad:
            run.call("backward", lambda: y.sum().backward(), BUFFER_BODY)
        got_grad = [name for name in wanted if buffers[name].grad is not None]
        if got_grad:
            raise run.failure(f"buffers received a gradient: {got_grad}", body=BUFFER_BODY)

    buffers_are_constants()


TERMINATION_BODY = """with torch.no_grad():
    for p in block.parameters():
        p.abs_().add_(1.0)  # all weights and biases >= 1: the hidden output overflows to +inf
x = torch.full({shape}, {value!r}, dtype=torch.{dtype})
print(block(x))  # must raise ValueError/RuntimeError or return a non-finite value, never loop forever"""


#: (dtype, input value) whose hidden output overflows: +inf, the dtype's largest finite value, NaN.
OVERFLOWING = st.sampled_from([(dtype, value) for dtype in ("float32", "float64") for value in
                               (float("inf"), float(torch.finfo(getattr(torch, dtype)).max), float("nan"))])


def check_termination(ctx: CheckContext, check: Check, *, spec: BlockSpec) -> None:
    """With all-positive weights and a huge or infinite input the hidden output overflows to +inf, so
    its L1 norm never drops to 1 by halving; with a NaN input the norm is NaN. Either way the block
    must raise ValueError or RuntimeError, or return a non-finite value, within the time limit."""

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def overflow_terminates(data: st.DataObject) -> None:
        dtype, value = data.draw(OVERFLOWING, label="dtype, input value")
        drawn = draw_example(data, ctx, spec, dtype, plain=True)
        assert drawn.example.x is not None  # plain examples have an input
        shape = drawn.example.x.shape
        drawn.example = replace(drawn.example, params=None, x=None)
        run = Runner(ctx, check, spec, drawn)
        body = TERMINATION_BODY.format(shape=shape, value=value, dtype=dtype)
        block = run.build()
        with torch.no_grad():
            for p in block.parameters():
                p.abs_().add_(1.0)
        x = torch.full(shape, value, dtype=getattr(torch, dtype), device=ctx.device)
        check_nonfinite_norm(run, "forward on an overflowing input", lambda: block(x), body)

    overflow_terminates()


def check_access(ctx: CheckContext, check: Check, *, spec: BlockSpec) -> None:
    """Reaching a parameter through indexing gives the very Parameter the state dict names, a write
    through its ``.data`` shows in ``state_dict()``, and its ``.grad`` is None before any backward."""

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def indexing_reaches_parameters(data: st.DataObject) -> None:
        drawn = draw_example(data, ctx, spec, "float32")
        run = Runner(ctx, check, spec, drawn)
        block = run.build()
        state = run.call("state_dict(keep_vars=True)", lambda: block.state_dict(keep_vars=True))
        ref = spec.reference(drawn.args)
        names = list(ref.state_dict())
        wrapped = computed(block)
        if wrapped:  # a computed tensor (stored under the wrapper's names) has no Parameter to reach
            why = (f"tensors computed from others ({wrapped}): indexing reaches the computed value, not a "
                   "Parameter the state dict names, and a write through `.data` does not act on it")
            names = [name for name in names if name in state]
            if not names:
                run.cannot_judge(f"the block's {why}", "")
            ctx.note(f"{check.id}: not judged on {why}")
        # each spec name's key in the block's state dict: itself, or under --unwrap the wrapper's name
        # for it (a compiled leaf's `_orig_mod.weight`); a name the state dict lacks is a layout the
        # structure check judges
        keys = {name: name for name in names if name in state}
        if len(keys) < len(names) and ctx.target.unwrap:
            keys.update({mapped: key for key, mapped in spec_names(block, list(state)).items()
                         if mapped in names and mapped not in keys})
        if len(keys) < len(names):
            run.cannot_judge(f"the state dict lacks {[n for n in names if n not in keys]} (its keys: "
                             f"{list(state)[:6]}{' ...' if len(state) > 6 else ''})", run.structure_id)
        for name in names:
            key = keys[name]
            *path, leaf = name.split(".")
            expr = "block" + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in path) + f".{leaf}"
            body = f"p = {expr}\nprint(p is block.state_dict(keep_vars=True)[{key!r}], p.grad)"
            # mypy cannot infer the type of a lambda with a default argument (hence the ignore)
            got = run.call(expr, lambda expr=expr: eval(expr, {"block": block}),  # type: ignore[misc]  # noqa: S307
                           body)
            if got is not state[key]:
                raise run.failure(f"{expr} is not the parameter state_dict() names {key!r}", body=body)
            if not isinstance(got, torch.nn.Parameter) or got.grad is not None:
                raise run.failure(f"{expr} is not a Parameter with .grad None before backward", body=body)
            if got.numel():
                first = (0,) * got.dim()  # indexing, not .view(-1): a parameter may have any strides
                with torch.no_grad():
                    wanted = float(got.detach()[first] + 1.0)  # in the parameter's dtype
                    got.data[first] += 1.0  # a write through .data, as the tutorial does
                # mypy cannot infer the type of a lambda with a default argument (hence the ignore)
                now = run.call("state_dict()", lambda key=key: block.state_dict()[key])  # type: ignore[misc]
                seen = {"the parameter": float(got.detach()[first]),
                        f"state_dict()[{key!r}]": float(now.reshape(-1)[0])}
                stale = [where for where, value in seen.items() if value != wanted]
                if stale:
                    raise run.failure(f"a write through {expr}.data is not seen in {' and '.join(stale)}",
                                      f"expected first entry {wanted!r}, seen {seen}",
                                      body=f"{expr}.data[{first}] += 1\nprint({expr}, block.state_dict()[{key!r}])")

    indexing_reaches_parameters()

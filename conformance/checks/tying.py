"""Parameter tying: one block placed at several positions is one object with one set of
Parameters; writes through one position are seen at the others; parameters() lists it once; one
optimizer step moves every position identically, by the summed gradient."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks.common import Runner, draw_example
from conformance.core.context import CheckContext
from conformance.core.registry import Check
from conformance.drawing.blocks import BlockSpec
from conformance.judging.bridge import to_numpy
from conformance.judging.tolerance import compare
from conformance.loading.wrappers import computed, describe, spec_listing

LR = 0.125  # a power of two: the step p - lr * g adds one rounding, no more


def check_tying(ctx: CheckContext, check: Check, *, spec: BlockSpec, dtype: str) -> None:
    prec = ctx.precision(check.id, dtype)

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def tied_positions_share_everything(data: st.DataObject) -> None:
        drawn = draw_example(data, ctx, spec, dtype)
        run = Runner(ctx, check, spec, drawn)
        positions = [i + 2 for i, letter in enumerate(drawn.args["middle"]) if letter == "S"]
        first, *others = positions
        body = f"print([net[i] is net[{first}] for i in {positions}])"
        # Indexed as the tutorial does (net[i]); the target's container need not be torch.nn.Sequential.
        net: Any = run.build()
        shared = run.call(f"net[{first}]", lambda: net[first], body.replace("net", "block"))
        for i in others:
            # mypy cannot infer the type of a lambda with a default argument (hence the ignore)
            got = run.call(f"net[{i}]", lambda i=i: net[i])  # type: ignore[misc]
            if got is not shared:
                raise run.failure(f"net[{i}] is not net[{first}]: the shared block was copied",
                                  body=body.replace("net", "block"))
        names = [n for n, _ in net.named_parameters()]
        ref = spec.reference(drawn.args)
        expected_names = [n for n, _ in ref.named_parameters()]
        if names != expected_names and describe(net):  # a wrapper's names: each spec name once, or structure's
            inside = spec_listing(net, names, expected_names)
            if not ctx.target.unwrap and inside == expected_names:
                run.cannot_judge(f"the tied net's parameters are listed under a wrapper's names ({describe(net)})",
                                 run.structure_id)
            names = inside
        if names != expected_names and len(set(names)) == len(names) == len(expected_names):
            # each once, under other names or in another order: the layout is the structure check's finding
            run.cannot_judge("the tied net lists its parameters under other names or in another order than the "
                             "spec's", run.structure_id)
        if names != expected_names:
            raise run.failure("named_parameters() does not list each tied parameter once",
                              f"expected {expected_names}\nactual   {names}",
                              body="print([n for n, _ in block.named_parameters()])")
        n_params = len(list(net.parameters()))
        # behind a wrapper, one spec tensor may be several stored ones (weight norm's g and v)
        n_expected = len(list(net.named_parameters())) if describe(net) else len(expected_names)
        if n_params != n_expected:
            raise run.failure("parameters() does not list each tied parameter once",
                              f"expected {n_expected} tensors, got {n_params}")
        wrapped = computed(shared)
        if wrapped:  # checked above: one shared block, its parameters listed once
            run.cannot_judge(f"the shared Linear's weight is computed from other tensors ({wrapped}): a write through "
                             "`.weight.data` or one SGD step on its parameters does not act on it directly", "")
        with torch.no_grad():
            shared.weight.data[0, 0] = 100.0
        for i in others:
            if float(net[i].weight.detach()[0, 0]) != 100.0:
                raise run.failure(f"writing net[{first}].weight.data[0, 0] = 100 is not seen through net[{i}]",
                                  body=f"block[{first}].weight.data[0, 0] = 100\n"
                                       f"print(block[{others[0]}].weight[0, 0])")

        # One SGD step: every position moves by the same, summed gradient.
        x = run.example.input()
        ref, tensors = run.reference(net)
        y = run.forward("forward", lambda: net(x))
        gy = torch.ones_like(y)
        expected = run.expected(ref, x, gy, prec)
        params = list(run.call("parameters()", lambda: net.parameters()))
        for param in params:
            param.grad = None
        run.call("backward", lambda: y.backward(gy))
        before = {name: to_numpy(t).copy() for name, t in tensors.items()}
        # Plain SGD (what torch.optim.SGD(lr) does, without importing torch._dynamo on first use, ~2 s):
        # one update per entry of parameters(), so a tied parameter listed twice moves twice.
        with torch.no_grad():
            for param in params:
                if param.grad is not None:
                    param.add_(param.grad, alpha=-LR)
        sgd_body = ("y = block(x)\ny.backward(torch.ones_like(y))\nwith torch.no_grad():\n"
                    f"    for p in block.parameters():\n        p.add_(p.grad, alpha=-{LR})\n"
                    f"print([block[i].weight for i in {positions}])")
        for group in ref.tied_names():
            values = [to_numpy(tensors[name]) for name in group]
            if any(not np.array_equal(v, values[0], equal_nan=True) for v in values[1:]):
                raise run.failure(f"after one SGD step the tied entries {group} differ", body=sgd_body)
        for name in expected["grads"]:
            grad, error = expected["grads"][name], expected["grad_errors"][name]
            with np.errstate(invalid="ignore"):
                step_bound = LR * error + prec.u * (abs(before[name]) + LR * abs(grad)) + prec.tiny
            # A non-finite gradient makes the step's result non-finite, compared exactly (bound 0),
            # unless the reference could not determine that gradient (bound inf).
            step_bound = np.where(np.isinf(error), np.inf, np.where(np.isfinite(grad), step_bound, 0.0))
            mismatch = compare(to_numpy(tensors[name]), before[name] - LR * expected["grads"][name], step_bound)
            if mismatch is not None:
                raise run.failure(f"one SGD step moved {name!r} by other than lr times the summed gradient",
                                  mismatch.describe(), body=sgd_body, fact=mismatch.fact())

    tied_positions_share_everything()


"""Save/load round trips through the target's ``save``/``load`` (torch.save and
``torch.load(weights_only=True)`` when it defines none): tensors and containers of tensors; every
block's state dict into a fresh instance, bit-identical outputs; tied storage; strict loading.
Every file must load with ``weights_only=True``: a checkpoint that needs arbitrary unpickling fails.
The suite itself never unpickles with ``weights_only=False``."""

from __future__ import annotations

import io
import os
import tempfile
from typing import Any, Callable

import torch
from hypothesis import given
from hypothesis import strategies as st

from ..blocks import BlockSpec
from ..context import CheckContext
from ..examples import seeded
from ..registry import Check
from ..strategies import SEEDS
from .common import Runner, draw_example


def save_load(ctx: CheckContext) -> tuple[Callable[[Any, Any], None], Callable[[Any], Any]]:
    target = ctx.target
    save = target.get("save") if target.provides("save") else torch.save
    load = target.get("load") if target.provides("load") else (lambda f: torch.load(f, weights_only=True))
    return save, load


def round_trip(ctx: CheckContext, obj: Any, to_file: bool) -> Any:
    """Save ``obj`` with the target's save, prove the bytes load with weights_only=True, load them
    back with the target's load. ``to_file``: through a path (under a private temporary directory),
    else through an in-memory file object."""
    save, load = save_load(ctx)
    if to_file:
        with tempfile.TemporaryDirectory(prefix="conformance-") as tmp:
            path = os.path.join(tmp, "checkpoint.pt")
            save(obj, path)
            torch.load(path, weights_only=True)  # security: raises if unpickling code is needed
            return load(path)
    buffer = io.BytesIO()
    save(obj, buffer)
    buffer.seek(0)
    torch.load(io.BytesIO(buffer.getvalue()), weights_only=True)
    buffer.seek(0)
    return load(buffer)


ROUND_TRIP_BODY = """import io
f = io.BytesIO()
target.save({obj}, f); f.seek(0)
print(target.load(f))"""

TENSOR_DTYPES = st.sampled_from([torch.float32, torch.float64, torch.int64, torch.int32, torch.uint8, torch.bool])
SHAPES = st.lists(st.integers(0, 4), max_size=3).map(tuple)


def same_tensor(a: Any, b: Any) -> bool:
    return (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and a.dtype == b.dtype
            and a.shape == b.shape and bool(torch.equal(a.cpu(), b.cpu())))


def check_tensors(ctx: CheckContext, check: Check) -> None:
    """A tensor, a list of tensors and a dict of tensors (the tutorial's x-file, x-files, mydict)
    come back equal in values, dtype and shape, through a path and through a file object."""

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def tensors_round_trip(data: st.DataObject) -> None:
        n = data.draw(st.integers(1, 3), label="number of tensors")
        tensors = []
        for i in range(n):
            dtype = data.draw(TENSOR_DTYPES, label=f"dtype {i}")
            shape = data.draw(SHAPES, label=f"shape {i}")
            with seeded(data.draw(SEEDS, label=f"seed {i}")):
                t = (torch.randn(shape, dtype=torch.float64) * 100).to(dtype)
            tensors.append(t)
        kind = data.draw(st.sampled_from(["tensor", "list", "dict"]), label="container")
        obj: Any = tensors[0] if kind == "tensor" else tensors if kind == "list" else {f"t{i}": t for i, t in enumerate(tensors)}
        to_file = data.draw(st.booleans(), label="through a file path")
        body = ROUND_TRIP_BODY.format(obj=repr(obj))
        try:
            back = round_trip(ctx, obj, to_file)
        except Exception as exc:  # noqa: BLE001
            raise fail_plain(check, f"save/load of a {kind} raised {type(exc).__name__}: {exc}", body) from exc
        if kind == "tensor":
            ok = same_tensor(back, obj)
        elif kind == "list":
            ok = isinstance(back, (list, tuple)) and len(back) == n and all(same_tensor(a, b) for a, b in zip(back, obj))
        else:
            ok = isinstance(back, dict) and list(back) == list(obj) and all(same_tensor(back[k], obj[k]) for k in obj)
        if not ok:
            raise fail_plain(check, f"a {kind} of tensors did not come back equal (values, dtype, shape)",
                             body, f"saved  {obj!r}\nloaded {back!r}")

    tensors_round_trip()


def fail_plain(check: Check, problem: str, body: str, detail: str = "") -> AssertionError:
    from ..failures import fail

    return fail(check.id, problem, detail + "\nReproduce:\n" + body if body else detail)


def check_state_dict_round_trip(ctx: CheckContext, check: Check, *, spec: BlockSpec, dtype: str) -> None:
    """state_dict() saved and loaded into a fresh instance (built under another seed) gives
    bit-identical outputs on the same input; every key, shape, dtype and buffer survives; tied keys
    still share storage and the fresh net stays tied; ``eval()`` changes nothing for these blocks."""

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def state_dict_round_trips(data: st.DataObject) -> None:
        drawn = draw_example(data, ctx, spec, dtype)
        run = Runner(ctx, check, spec, drawn)
        to_file = data.draw(st.booleans(), label="through a file path")
        block = run.build()
        ref, _ = run.reference(block)
        x = run.example.input()
        run.expected(ref, x, None, ctx.precision(check.id, dtype))
        body = ("import io\nf = io.BytesIO()\ntarget.save(block.state_dict(), f); f.seek(0)\n"
                f"torch.manual_seed({drawn.example.seed + 1})\nclone = {drawn.example.code}.to(dtype=torch.{dtype})\n"
                "clone.load_state_dict(target.load(f)); clone.eval()\nprint(block(x) - clone(x))")
        state = run.call("state_dict()", lambda: block.state_dict(), body)
        loaded = run.call("save/load of the state dict", lambda: round_trip(ctx, state, to_file), body)
        if not isinstance(loaded, dict) or list(loaded) != list(state):
            raise run.failure("the loaded state dict does not have the saved keys, in order",
                              f"saved  {list(state)}\nloaded {list(loaded) if isinstance(loaded, dict) else type(loaded)}", body=body)
        for key, value in state.items():
            if not same_tensor(loaded[key], value):
                raise run.failure(f"{key!r} did not survive save/load (values, dtype or shape)", body=body)
        for group in ref.tied_names():
            pointers = {loaded[name].untyped_storage().data_ptr() for name in group}
            if len(pointers) != 1:
                raise run.failure(f"the loaded state dict no longer shares storage between the tied keys {group}", body=body)
        fresh = run.call("constructing a fresh instance",
                         lambda: replace_seed(drawn.example, drawn.example.seed + 1).build(ctx.target), body)
        run.call("load_state_dict into a fresh instance", lambda: fresh.load_state_dict(loaded), body)
        run.call("eval()", lambda: fresh.eval(), body)
        for group in ref.tied_names():
            *path, leaf = group[0].split(".")
            tensors = [fresh.state_dict(keep_vars=True)[name] for name in group]
            if any(t is not tensors[0] for t in tensors[1:]):
                raise run.failure(f"after load_state_dict the fresh net is no longer tied: {group} are different tensors",
                                  body=body)
        y = run.call("forward", lambda: block(x), body)
        y_fresh = run.call("forward of the loaded clone", lambda: fresh(x), body)
        if not same_tensor(y_fresh, y):
            raise run.failure("the loaded clone's output is not bit-identical to the original's", body=body)

    state_dict_round_trips()


def replace_seed(example, seed: int):
    from dataclasses import replace

    return replace(example, seed=seed, params=None)


def check_strict_loading(ctx: CheckContext, check: Check, *, spec: BlockSpec) -> None:
    """load_state_dict (strict, the default) raises on a missing key, an unexpected key and a shape
    mismatch, naming the offending key."""

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def strict_loading_raises(data: st.DataObject) -> None:
        drawn = draw_example(data, ctx, spec, "float32")
        run = Runner(ctx, check, spec, drawn)
        block = run.build()
        state = dict(block.state_dict())
        cases: list[tuple[str, dict, str]] = [("an unexpected key", {**state, "unexpected.weight": torch.zeros(1)},
                                               "unexpected.weight")]
        if state:
            key = data.draw(st.sampled_from(sorted(state)), label="key to break")
            cases.append(("a missing key", {k: v for k, v in state.items() if k != key}, key))
            cases.append(("a shape mismatch", {**state, key: torch.zeros(tuple(state[key].shape) + (2,))}, key))
        for what, bad, key in cases:
            fresh = run.build()
            body = f"state = block.state_dict()\n# make {what} at {key!r}\nblock.load_state_dict(state)  # must raise"
            try:
                fresh.load_state_dict(bad)
            except Exception as exc:  # noqa: BLE001 - raising is the spec
                if key not in str(exc):
                    raise run.failure(f"loading a state dict with {what} raised, but the message does not name {key!r}",
                                      f"{type(exc).__name__}: {exc}", body=body) from None
                continue
            raise run.failure(f"loading a state dict with {what} ({key!r}) did not raise", body=body)

    strict_loading_raises()

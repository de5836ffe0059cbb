"""Save/load round trips through the target's ``save``/``load`` (torch.save and
``torch.load(weights_only=True)`` when it defines none): tensors and containers of tensors; every
block's state dict into a fresh instance, bit-identical outputs; tied storage; strict loading.
Every file must load with ``weights_only=True``: a checkpoint that needs arbitrary unpickling fails.
The suite itself never unpickles with ``weights_only=False``."""

from __future__ import annotations

import collections
import functools
import io
import os
import tempfile
from typing import Any, Callable

import torch
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks.common import Runner, bit_identical, call_target, draw_example, raised_by
from conformance.checks.structure import own_forward, own_reference
from conformance.core.context import CheckContext
from conformance.core.failures import failure
from conformance.core.registry import Check
from conformance.drawing.blocks import BlockSpec
from conformance.drawing.strategies import ANY_SHAPE, SEEDS
from conformance.loading.construction import construction
from conformance.loading.wrappers import layout_hint, spec_names


def save_load(ctx: CheckContext) -> tuple[Callable[[Any, Any], None], Callable[[Any], Any]]:
    target = ctx.target
    save = target.get("save") if target.provides("save") else torch.save
    load = target.get("load") if target.provides("load") else (lambda f: torch.load(f, weights_only=True))
    return save, load


def save_load_code(ctx: CheckContext) -> str:
    """The snippet's ``save`` and ``load``: the target's, or torch's when it defines none (as the check did)."""
    save = "target.save" if ctx.target.provides("save") else "torch.save"
    load = "target.load" if ctx.target.provides("load") else "lambda f: torch.load(f, weights_only=True)"
    return f"save, load = {save}, {load}"


def is_plain_torch_load(load: Any) -> bool:
    """``torch.load``, or ``functools.partial(torch.load, weights_only=...)``: on a file that loads
    with ``weights_only=True`` it returns what that load returned, so the suite's own load can stand in."""
    if load is torch.load:
        return True
    return (isinstance(load, functools.partial) and load.func is torch.load and not load.args
            and set(load.keywords) <= {"weights_only"})


def round_trip(ctx: CheckContext, obj: Any, to_file: bool) -> Any:
    """Save ``obj`` with the target's save, prove the bytes load with weights_only=True, load them
    back with the target's load (unless it is plain ``torch.load``: then the proving load's result).
    ``to_file``: through a path (in a private directory under ``ctx.tmp_dir``), else through an
    in-memory file object."""
    save, load = save_load(ctx)
    plain = is_plain_torch_load(load)
    if to_file:
        with tempfile.TemporaryDirectory(prefix="conformance-", dir=ctx.tmp_dir) as tmp:
            path = os.path.join(tmp, "checkpoint.pt")
            save(obj, path)
            secure = torch.load(path, weights_only=True)  # security: raises if unpickling code is needed
            return secure if plain else load(path)
    buffer = io.BytesIO()
    save(obj, buffer)
    buffer.seek(0)
    secure = torch.load(io.BytesIO(buffer.getvalue()), weights_only=True)
    if plain:
        return secure
    buffer.seek(0)
    return load(buffer)


TENSOR_DTYPES = st.sampled_from([torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.complex64,
                                 torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool])
#: How a saved tensor is laid out: fresh, or a view with an offset or non-default strides.
VIEWS = st.sampled_from(["fresh", "offset", "transposed", "strided"])
#: One to three tensors, how they are held (alone, in a list, in a dict), and whether they go
#: through a file path or a file object: one draw.
SAVED_OBJECTS = st.tuples(st.lists(st.tuples(TENSOR_DTYPES, ANY_SHAPE, VIEWS, SEEDS), min_size=1, max_size=3),
                          st.sampled_from(["tensor", "list", "dict"]), st.booleans())


def same_entry(a: Any, b: Any) -> bool:
    """A state-dict entry survived: ``same_tensor`` for tensors; entry by entry for a tuple, list or
    dict (a quantized layer's packed weight and bias); equality for other values (a dtype, the extra
    state a block's ``get_extra_state`` returns)."""
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return same_tensor(a, b)
    if isinstance(a, (tuple, list)) and type(a) is type(b):
        return len(a) == len(b) and all(same_entry(x, y) for x, y in zip(a, b, strict=True))  # lengths checked
    if isinstance(a, dict) and type(a) is type(b):
        return list(a) == list(b) and all(same_entry(a[k], b[k]) for k in a)
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # noqa: BLE001 - a value without a usable ==
        return False


def same_tensor(a: Any, b: Any) -> bool:
    """Equal values (NaN-free here), dtype, shape, type (a Parameter stays a Parameter, a plain
    tensor stays plain) and requires_grad."""
    return (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and type(a) is type(b)
            and a.dtype == b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
            and bool(torch.equal(a.detach().cpu(), b.detach().cpu())))


def make_tensor(seed: int, dtype: torch.dtype, shape: tuple[int, ...], view: str) -> torch.Tensor:
    """A seeded tensor of ``dtype``; as a view: ``offset`` drops a leading row, ``transposed`` swaps
    the last two dims, ``strided`` takes every other element of the last dim."""
    generator = torch.Generator().manual_seed(seed)
    base_shape = {"offset": (shape[0] + 1,) + shape[1:] if shape else (2,),
                  "strided": shape[:-1] + (2 * shape[-1],) if shape else (2,),
                  "transposed": shape[:-2] + (shape[-1], shape[-2]) if len(shape) >= 2 else shape}.get(view, shape)
    t = (torch.randn(base_shape, dtype=torch.float64, generator=generator) * 100).to(dtype)
    if view == "offset":
        return t[1:] if shape else t[1]
    if view == "strided":
        return t[..., ::2] if shape else t[0]
    if view == "transposed" and len(shape) >= 2:
        return t.transpose(-1, -2)
    return t


def check_tensors(ctx: CheckContext, check: Check) -> None:
    """A tensor, a list of tensors and a dict of tensors (the tutorial's x-file, x-files, mydict)
    come back equal in values, dtype, shape and type, through a path and through a file object,
    whatever their dtype (empty ones included) and memory layout (views with offsets and strides)."""

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def tensors_round_trip(data: st.DataObject) -> None:
        parts, kind, to_file = data.draw(SAVED_OBJECTS, label="tensors (dtype, shape, layout, seed); container; "
                                                                "through a file path")
        n = len(parts)
        tensors, codes = [], []
        for dtype, shape, view, seed in parts:
            tensors.append(make_tensor(seed, dtype, shape, view))
            codes.append(f"make_tensor({seed}, torch.{str(dtype).split('.')[-1]}, {shape!r}, {view!r})")
        obj: Any = (tensors[0] if kind == "tensor" else tensors if kind == "list"
                    else {f"t{i}": t for i, t in enumerate(tensors)})
        code = codes[0] if kind == "tensor" else f"[{', '.join(codes)}]" if kind == "list" else \
            "{" + ", ".join(f"'t{i}': {c}" for i, c in enumerate(codes)) + "}"
        body = ROUND_TRIP_BODY.format(target=ctx.target.load_code(), obj=code, save_load=save_load_code(ctx))
        what = "a tensor" if kind == "tensor" else f"a {kind} of tensors"
        back = call_target(ctx.call_timeout, f"save/load of {what}", lambda: round_trip(ctx, obj, to_file),
                           lambda problem: failure(check.id, problem, snippet=body))
        if kind == "tensor":
            ok = same_tensor(back, obj)
        elif kind == "list":
            ok = (isinstance(back, (list, tuple)) and len(back) == n
                  and all(same_tensor(a, b) for a, b in zip(back, obj, strict=True)))  # lengths checked first
        else:
            ok = isinstance(back, dict) and list(back) == list(obj) and all(same_tensor(back[k], obj[k]) for k in obj)
        if not ok:
            raise failure(check.id, f"{what} did not come back equal (values, dtype, shape, type or requires_grad)",
                          f"saved  {obj!r}\nloaded {back!r}", snippet=body)

    tensors_round_trip()


ROUND_TRIP_BODY = """import io, torch
from conformance.checks.persistence import make_tensor
from conformance.loading.target import load_target
target = {target}
{save_load}
obj = {obj}
f = io.BytesIO()
save(obj, f); f.seek(0)
print(obj)
print(load(f))"""


THROUGH_A_PATH = ("through a file path", st.booleans())


def check_state_dict_round_trip(ctx: CheckContext, check: Check, *, spec: BlockSpec, dtype: str) -> None:
    """state_dict() saved and loaded into a fresh instance (built under another seed) gives
    bit-identical outputs on the same input; every key, shape, dtype and buffer survives; tied keys
    still share storage and the fresh net stays tied; ``eval()`` changes nothing for these blocks."""

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def state_dict_round_trips(data: st.DataObject) -> None:
        # Contiguous parameters: the clone's are (load_state_dict copies), and bit-identity holds
        # between runs on the same layouts only (a layout may change a kernel's summation order).
        drawn = draw_example(data, ctx, spec, dtype, extra=THROUGH_A_PATH, contiguous_params=True)
        run = Runner(ctx, check, spec, drawn)
        to_file = drawn.extra
        block = run.build()
        # Bit-identity after a round trip needs nothing of the spec: a block whose parameters are not
        # laid out as the spec's (the structure check's failure) is judged by its own outputs.
        ref, _, mislaid = own_reference(run, block)
        x = run.example.input()
        if ref is not None:
            run.expected(ref, x, None, ctx.precision(check.id, dtype))
        else:
            run.exercises(spec.reference(drawn.args))
            ctx.note(f"{check.id}: {mislaid.split(': ')[0]} (see {run.structure_id}); judged by the block's own "
                     "outputs before saving and after loading into a fresh instance")
        fresh_code = f"{drawn.example.code}.to(dtype=torch.{dtype})"
        perturb = "" if fresh_copy(ctx, spec) else (
            "\nwith torch.no_grad():  # the block is a copy of one instance: make its values differ first\n"
            "    for t in [*clone.parameters(), *clone.buffers()]:\n"
            "        t.add_(1) if t.is_floating_point() else None")
        body = (f"import io\n{save_load_code(ctx)}\nf = io.BytesIO()\nsave(block.state_dict(), f); f.seek(0)\n"
                f"torch.manual_seed({drawn.example.seed + 1})\nclone = {fresh_code}{perturb}\n"
                "clone.load_state_dict(load(f)); clone.eval()\nprint(block(x) - clone(x))")
        state = run.state_dict(block, body)
        loaded = run.call("save/load of the state dict", lambda: round_trip(ctx, state, to_file), body)
        if not isinstance(loaded, dict) or list(loaded) != list(state):
            raise run.failure("the loaded state dict does not have the saved keys, in order",
                              f"saved  {list(state)}\n"
                              f"loaded {list(loaded) if isinstance(loaded, dict) else type(loaded)}", body=body)
        for key, value in state.items():
            if not same_entry(loaded[key], value):
                raise run.failure(f"{key!r} did not survive save/load (values, dtype or shape)", body=body)
        present = set(loaded) | ({m for m in spec_names(block, list(loaded)).values() if m is not None}
                                 if ctx.target.unwrap else set())
        missing = [name for name in ref.state_dict() if name not in present] if ref is not None else []
        if ref is not None and missing:
            raise run.failure("the loaded state dict lacks keys the spec names",
                              f"missing {missing}" + layout_hint(block, list(ref.state_dict()), list(state),
                                                                 ctx.target.unwrap),
                              body=body)
        for group in ref.tied_names() if ref is not None else ():
            if not all(name in loaded for name in group):  # a wrapped net's keys (--unwrap): not judged here
                continue
            pointers = {loaded[name].untyped_storage().data_ptr() if isinstance(loaded[name], torch.Tensor)
                        else id(loaded[name]) for name in group}
            if len(pointers) != 1:
                raise run.failure(f"the loaded state dict no longer shares storage between the tied keys {group}",
                                  body=body)
        fresh = run.call("constructing a fresh instance",
                         lambda: replace_seed(drawn.example, drawn.example.seed + 1).build(ctx.target), body)
        if not fresh_copy(ctx, spec):
            with torch.no_grad():  # a copy of one instance holds the same values: make them differ
                for t in [*fresh.parameters(), *fresh.buffers()]:
                    if t.is_floating_point():
                        t.add_(1)
        run.call("load_state_dict into a fresh instance", lambda: fresh.load_state_dict(loaded), body)
        run.call("eval()", lambda: fresh.eval(), body)
        for group in ref.tied_names() if ref is not None else ():
            if not all(name in loaded for name in group):
                continue
            *path, leaf = group[0].split(".")
            tensors = [fresh.state_dict(keep_vars=True)[name] for name in group]
            if any(t is not tensors[0] for t in tensors[1:]):
                raise run.failure(f"after load_state_dict the fresh net is no longer tied: "
                                  f"{group} are different tensors", body=body)
        if ref is not None:
            y = run.forward("forward", lambda: block(x), body)
        else:
            y = own_forward(run, mislaid, lambda: block(x), body)
            if y.numel() == 0:
                ctx.trivial("an empty output")
        y_fresh = run.call("forward of the loaded clone", lambda: fresh(x), body)
        if not bit_identical(y_fresh, y):
            detail = ""
            if isinstance(y_fresh, torch.Tensor) and y_fresh.shape == y.shape:
                diff = (y_fresh.detach().double() - y.detach().double()).abs()
                detail = f"{int((diff > 0).sum())} of {diff.numel()} elements differ, by up to {float(diff.max()):.3g}"
            raise run.failure("the loaded clone's output is not bit-identical to the original's", detail, body=body)

    state_dict_round_trips()


def wrong_shape(data: st.DataObject, shape: tuple[int, ...]) -> tuple[int, ...]:
    """Another shape for a state-dict entry: the same number of elements reversed (a transposed
    weight) when that differs, one more row, or one more dim."""
    options = [shape[:-1] + (shape[-1] + 1,) if shape else (2,), shape + (2,)]
    if tuple(reversed(shape)) != shape:
        options.insert(0, tuple(reversed(shape)))
    return data.draw(st.sampled_from(options), label="wrong shape")


def fresh_copy(ctx: CheckContext, spec: BlockSpec) -> bool:
    """Each construction of the block is a new one (not a deep copy of one instance)."""
    return spec.container or spec.leaves or construction(ctx.target, spec.name).fresh


def replace_seed(example, seed: int):
    from dataclasses import replace

    return replace(example, seed=seed, params=None)


def spec_keys(block: torch.nn.Module, ref: Any, state: dict[str, Any], unwrap: bool = False) -> set[str]:
    """The block's state-dict keys that hold the spec's tensors: the spec's own names, or (when the
    block names them otherwise) the keys of the tensors the spec's names resolve to, and under
    ``unwrap`` the keys a wrapper stores them under (weight norm's ``weight_g``/``weight_v``). When
    they cannot be matched (the structure check's failure), every key counts as the spec's."""
    from conformance.judging.bridge import LayoutError, spec_tensors

    wanted = list(ref.state_dict())
    if all(k in state for k in wanted):
        return set(wanted)
    if unwrap:
        stored = {k: m for k, m in spec_names(block, list(state)).items() if m in wanted}
        if set(stored.values()) | set(state) >= set(wanted):
            return set(stored) | (set(wanted) & set(state))
    try:
        found = {id(t) for t in spec_tensors(block, ref).values()}
    except (LayoutError, KeyError, ValueError):
        return set(state)
    return {k for k, t in block.state_dict(keep_vars=True).items() if id(t) in found} | (set(wanted) & set(state))


def check_strict_loading(ctx: CheckContext, check: Check, *, spec: BlockSpec) -> None:
    """load_state_dict (strict, the default) raises on a missing key, an unexpected key and a shape
    mismatch, naming the offending key. Missing and mismatched keys are drawn among the keys the
    spec names; keys the block adds beyond the spec (an observer's, an adapter's) are tried too,
    and where they load leniently the report notes it. Every broken state dict keeps the
    ``_metadata`` of ``state_dict()`` (a versioned loader, torch's observers', reads one without it as
    an old version and fills the gaps in: leniency the suite, not the target, would cause)."""

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def strict_loading_raises(data: st.DataObject) -> None:
        drawn = draw_example(data, ctx, spec, "float32")
        run = Runner(ctx, check, spec, drawn)
        block = run.build()
        state = run.state_dict(block, "print(block.state_dict())")
        run.exercises(spec.reference(drawn.args))  # a block without state has only an unexpected key to refuse
        ours = run.call("state_dict(keep_vars=True)",
                        lambda: spec_keys(block, spec.reference(drawn.args), state, ctx.target.unwrap),
                        "print(block.state_dict())")
        # A block without state still has a key to reject (an unexpected one); non-tensor entries (a
        # block's extra state) have no shape to mismatch.
        tensors = sorted(k for k, v in state.items() if isinstance(v, torch.Tensor) and k in ours)
        extra = sorted(k for k, v in state.items() if isinstance(v, torch.Tensor) and k not in ours)
        if not tensors and spec.reference(drawn.args).state_dict():  # nothing of the spec's to break
            run.cannot_judge("the block's state dict holds none of the spec's keys", run.structure_id)
        unexpected = edited(state, {"unexpected.weight": torch.zeros(1)})
        cases: list[tuple[str, dict, str]] = [("an unexpected key", unexpected, "unexpected.weight")]
        if tensors:
            key = data.draw(st.sampled_from(tensors), label="key to break (among the spec's)")
            cases.append(("a missing key", edited(state, drop=key), key))
            bad_shape = wrong_shape(data, tuple(state[key].shape))
            cases.append(("a shape mismatch", edited(state, {key: torch.zeros(bad_shape)}), key))
        fresh = run.build()  # one instance for every case: each load must raise, whatever an earlier one left
        for what, bad, key in cases:
            body = f"state = block.state_dict()\n# make {what} at {key!r}\nblock.load_state_dict(state)  # must raise"
            raised = load_raises(run, fresh, bad, body)
            if raised is None:
                raise run.failure(f"loading a state dict with {what} ({key!r}) did not raise", body=body)
            if key not in str(raised):
                raise run.failure(f"loading a state dict with {what} raised, but the message does not name {key!r}",
                                  f"{type(raised).__name__}: {raised}", body=body)
        lenient = ((key, what) for key in extra  # beyond the spec: reported, never failed
                   for what, bad in (("missing", edited(state, drop=key)),
                                     ("of another shape",
                                      edited(state, {key: torch.zeros(wrong_shape_of(state[key]))})))
                   if load_raises(run, run.build(), bad, "") is None)
        first = next(lenient, None)
        if first is not None:
            ctx.note(f"{spec.name}: state-dict keys the spec does not name load leniently (`{first[0]}` "
                     f"{first[1]} did not raise): strict loading is judged on "
                     "the spec's keys only")

    strict_loading_raises()


def edited(state: dict[str, Any], put: dict[str, Any] | None = None, drop: str | None = None) -> dict[str, Any]:
    """A copy of ``state`` with ``put`` set and ``drop`` removed, keeping its ``_metadata``: what a user
    editing ``block.state_dict()`` has."""
    out = collections.OrderedDict((k, v) for k, v in state.items() if k != drop)
    out.update(put or {})
    metadata = getattr(state, "_metadata", None)
    if metadata is not None:
        out._metadata = metadata  # type: ignore[attr-defined]
    return out


def wrong_shape_of(value: torch.Tensor) -> tuple[int, ...]:
    """One more element in the last dim (a scalar becomes a 2-vector): never the value's own shape."""
    shape = tuple(value.shape)
    return shape[:-1] + (shape[-1] + 1,) if shape else (2,)


def load_raises(run: Runner, block: torch.nn.Module, state: dict, body: str) -> BaseException | None:
    """What ``block.load_state_dict(state)`` raised (None: it loaded), under the per-call guard."""
    return raised_by(run, "load_state_dict", lambda: block.load_state_dict(state), body)[1]


# -- the loader refuses what weights_only=True refuses -----------------------------------------------
class RunsAFunction:
    """Unpickling it calls ``os.makedirs(marker)``: a harmless stand-in for any function a
    malicious checkpoint could call (``os.system``, ``subprocess.Popen``, ...)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return os.makedirs, (self.marker,)


class ArbitraryObject:
    """An object of a class outside ``torch.load(weights_only=True)``'s allow-list. Unpickling it
    imports this module and runs its ``__setstate__``, which creates ``marker``: the code a class of
    an attacker's choosing runs on load."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __setstate__(self, state: dict[str, Any]) -> None:
        os.makedirs(state["marker"], exist_ok=True)
        self.__dict__.update(state)


#: The files a safe ``load`` must refuse: kind -> (what it is, what unpickling it runs).
HOSTILE = {
    "function": ("a pickle whose unpickling calls a function", "os.makedirs({marker!r})"),
    "object": ("an object of an arbitrary class (conformance.checks.persistence.ArbitraryObject)",
               "ArbitraryObject.__setstate__, which calls os.makedirs({marker!r})"),
    "checkpoint": ("a dict of tensors with a function call inside a container ({{'weight': tensor, "
                   "'extra': [tensor, {{'meta': <call>}}]}})", "os.makedirs({marker!r})"),
}
#: How the file is written: torch.save's zip format, or a plain pickle (what ``pickle.load`` reads).
HOSTILE_FORMATS = {"torch": "a torch.save file", "pickle": "a plain pickle file"}


def hostile_file(kind: str, fmt: str, directory: str) -> tuple[str, str]:
    """Write the hostile file ``kind`` (a key of ``HOSTILE``) in format ``fmt`` (``torch`` or
    ``pickle``) into ``directory``: (its path, the marker path that appears if loading it runs code)."""
    import pickle

    marker = os.path.join(directory, f"ran-{kind}-{fmt}")
    obj: Any = {"function": lambda: RunsAFunction(marker), "object": lambda: ArbitraryObject(marker),
                "checkpoint": lambda: {"weight": torch.zeros(2, 3),
                                       "extra": [torch.ones(1), {"meta": RunsAFunction(marker)}]}}[kind]()
    path = os.path.join(directory, f"{kind}.{'pt' if fmt == 'torch' else 'pkl'}")
    if fmt == "torch":
        torch.save(obj, path)
    else:
        with open(path, "wb") as fh:
            pickle.dump(obj, fh, protocol=2)
    return path, marker


def check_load_safety(ctx: CheckContext, check: Check) -> None:
    """The target's ``load`` refuses (raises) what ``torch.load(f, weights_only=True)`` refuses, and
    runs none of it: a pickle that calls a function, an object of an arbitrary class, and a dict of
    tensors with a function call inside a container, each as a torch.save file and a plain pickle,
    through a path and a file object."""
    from conformance.sandbox.exits import TargetExit

    load = ctx.target.get("load")
    for kind, (what, runs) in HOSTILE.items():
        for fmt, written in HOSTILE_FORMATS.items():
            for through in ("path", "file object"):
                with tempfile.TemporaryDirectory(prefix="conformance-unsafe-", dir=ctx.tmp_dir) as tmp:
                    path, marker = hostile_file(kind, fmt, tmp)
                    arg = "path" if through == "path" else "io.BytesIO(open(path, 'rb').read())"
                    snippet = (f"import io, os, tempfile\nfrom conformance.checks.persistence import hostile_file\n"
                               f"from conformance.loading.target import load_target\n"
                               f"target = {ctx.target.load_code()}\n"
                               f"path, marker = hostile_file({kind!r}, {fmt!r}, tempfile.mkdtemp())\n"
                               f"target.load({arg})  # must raise\n"
                               "print('ran code' if os.path.exists(marker) else 'ran nothing')")
                    with open(path, "rb") as fh:
                        source: Any = path if through == "path" else io.BytesIO(fh.read())
                    file = f"{written} holding {what}, through a {through}"
                    would = runs.format(marker=marker)
                    accepted = True
                    try:  # the shared guard: a hang, os._exit or sys.exit is the target's failure, not a refusal
                        call_target(ctx.call_timeout, f"load of {file}", lambda: load(source),  # noqa: B023
                                    lambda problem: failure(check.id, problem, snippet=snippet))  # noqa: B023
                    except AssertionError as raised:
                        if raised.__cause__ is None or isinstance(raised.__cause__, (TargetExit, SystemExit)):
                            raise
                        accepted = False  # refusing is the spec, whatever the exception
                    ran = os.path.exists(marker)
                    if accepted or ran:
                        verdict = "accepted" if accepted else "raised, but only after running its code"
                        raise failure(check.id, f"load {verdict}: {file}",
                                      f"unpickling it {'ran' if ran else 'would run'} {would}"
                                      + (" (the marker file appeared)" if ran else "")
                                      + "\nA safe load refuses what torch.load(f, weights_only=True) refuses.",
                                      snippet=snippet)

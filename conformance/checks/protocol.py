"""The rest of torch.nn's module protocol a drop-in replacement honours: copies, the meta device and
deferred materialisation, factory keywords, and constructor arguments the spec forbids.

* ``copy``: ``copy.deepcopy(block)`` has equal values in distinct tensors (tied ones still tied inside
  the copy); training the copy leaves the original unchanged.
* ``meta``: built under ``with torch.device("meta")`` the block allocates nothing and has the spec's
  names and shapes; ``to_empty(device=...)`` then every module's own ``reset_parameters()`` (where it
  has one) gives a working block: each tensor a module answers for is re-initialised (not left at
  the values the suite writes where to_empty leaves them undefined), and follows the spec's init law.
* ``factory``: where the constructor takes ``dtype=``/``device=`` (read from its signature), the block
  holds every tensor in that dtype on that device, follows the spec's init law there, and computes.
* ``bad_args``: each constructor call the declaration forbids (a negative size) raises.
"""

from __future__ import annotations

import copy
import inspect
from functools import reduce
from typing import Any

import numpy as np
import torch
from hypothesis import assume, given
from hypothesis import strategies as st
from torch.nn.parameter import is_lazy as is_uninitialized

from conformance.checks.common import Runner, agrees, bit_identical, check_output, draw_example, raised_by
from conformance.checks.init.sampling import SUPPORT_RTOL
from conformance.core.context import CheckContext
from conformance.core.failures import NotProvided
from conformance.core.registry import Check
from conformance.drawing.blocks import BlockSpec
from conformance.drawing.examples import is_lazy, seeded, sized
from conformance.judging.bridge import LayoutError, spec_tensors, to_numpy
from conformance.judging.statistics import assess
from conformance.loading.construction import INSTANCE, LAZY_SIZES, SIGNATURES, construction

COPY_BODY = """import copy
twin = copy.deepcopy(block)
print([(n, p is q, p.data_ptr() == q.data_ptr()) for (n, p), (_, q) in zip(block.named_parameters(),
                                                                        twin.named_parameters())])"""



#: The false-alarm rate of the law test on one re-initialised float32/float64 tensor of 2 values or
#: more (``assess``: support, then the law's exact or bounded statistical tests). A run judges at most some 10^4 such
#: tensors (meta and factory checks x examples x tensors), so a correct block fails one with
#: probability under 1e-6. The tests still reject a constant fill of a continuous law (a bias left
#: at zero by ``reset_parameters``) with p = 0, and a law narrowed by 1% at the widest anchor.
ALPHA_PER_TENSOR = 1e-10


def follows_laws_and_computes(run: Runner, spec: BlockSpec, block: torch.nn.Module, prec: Any, when: str,
                              body: str, judged: set[str] | None = None) -> None:
    """The block's tensors (those the spec names in ``judged``; all by default) follow the spec's init
    law (its support; in float32/float64 also its statistical tests, at ``ALPHA_PER_TENSOR``), and its
    forward on the example's input is the spec's function of its current values."""
    ref, tensors = run.reference(block)
    for name, declared in spec.init.items():
        law, t = declared.law(run.drawn.args), tensors.get(name)
        if law is None or t is None or (judged is not None and name not in judged):
            continue
        values = to_numpy(t).ravel()
        # the statistics where they hold: not in half formats (their rounding skews them), not on one
        # value (float32's uniform_ gives exactly 0 with probability 2^-24, far above the threshold)
        if t.dtype in (torch.float32, torch.float64) and values.size >= 2:
            verdict = assess(values, law, ALPHA_PER_TENSOR, SUPPORT_RTOL)
            if verdict is not None:
                raise run.failure(f"{when}, {name!r} does not follow its law {law}", str(verdict), body=body,
                                  fact=f"{name!r}: {verdict.test} test" + (
                                      ", all values equal" if np.all(values == values[0]) else ""))
            continue
        inside = law.contains(values, SUPPORT_RTOL)
        if not bool(np.all(inside)):
            raise run.failure(f"{when}, {name!r} does not follow its law {law}",
                              f"{int((~inside).sum())} of {values.size} values outside it, e.g. "
                              f"{float(values[~inside][0])!r}", body=body)
    x = run.example.input()
    expected = run.expected(ref, x, None, prec)
    try:
        y = run.forward("forward", lambda: block(x), body)
        check_output(run, f"the output ({when})", y, expected["y"], expected["ey"], x, body)
    except AssertionError:
        if computes_otherwise_anyway(run, prec):  # the forward check's finding, not this property's
            run.cannot_judge("the block, built as usual, already computes otherwise on this example",
                             f"{run.spec.key}.forward[{run.example.dtype}]")
        raise


def computes_otherwise_anyway(run: Runner, prec: Any) -> bool:
    """The example's block built as the forward check builds it (no meta device, no factory keyword)
    raises in its forward or differs from the spec on the example's input."""
    plain = run.build()
    ref, _ = run.reference(plain)
    x = run.example.input()
    expected = run.expected(ref, x, None, prec)
    try:
        y = run.call("forward", lambda: plain(x), "")
    except AssertionError:
        return True
    return not agrees(y, expected)


def _train_once(run: Runner, block: torch.nn.Module, x: torch.Tensor, what: str, body: str) -> None:
    """One SGD step (lr 0.1) on ``<w, block(x)>`` for fixed weights w, through the block's own
    parameters()."""
    y = run.forward(f"forward of {what}", lambda: block(x), body)
    if not y.requires_grad:  # nothing to train (a block without parameters)
        return
    weights = torch.ones_like(y)
    try:
        run.call(f"backward of {what}", lambda: (y * weights).sum().backward(), body)
    except AssertionError as failed:  # the backward itself is the gradient check's to judge
        if failed.__cause__ is None:
            raise
        run.cannot_judge(f"the block's backward raised {type(failed.__cause__).__name__}",
                         f"{run.spec.key}.gradient[float64]")
    with torch.no_grad():
        for p in block.parameters():
            if p.grad is not None:
                p.sub_(0.1 * p.grad)


def check_copy(ctx: CheckContext, check: Check, *, spec: BlockSpec) -> None:
    """``copy.deepcopy(block)``: the spec's tensors equal and distinct (tied ones tied), and training the
    copy leaves the original's values and gradients as they were."""

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def copies_are_independent(data: st.DataObject) -> None:
        drawn = draw_example(data, ctx, spec, "float64", plain=True)
        run = Runner(ctx, check, spec, drawn)
        block = run.build()
        ref, tensors = run.reference(block)
        if not tensors:  # (a LayerNorm without affine: nothing of its own to copy)
            ctx.trivial("no parameter or buffer in the block")
        elif not any(t.numel() for t in tensors.values()):  # (Linear(0, 3, bias=False): no storage to share)
            ctx.trivial("only empty parameters and buffers")
        twin = run.call("copy.deepcopy(block)", lambda: copy.deepcopy(block), COPY_BODY)
        if not isinstance(twin, torch.nn.Module):
            raise run.failure(f"copy.deepcopy(block) gave a {type(twin).__name__}, not a torch.nn.Module",
                              body=COPY_BODY)
        try:
            copied = spec_tensors(twin, ref)
        except LayoutError as exc:
            raise run.failure("the copy's tensors do not have the spec's names and shapes", str(exc),
                              body=COPY_BODY) from None
        x = run.example.input()
        try:  # the original must compute before its copy is judged by computing
            run.call("forward of the original", lambda: block(x), COPY_BODY)
        except AssertionError as failed:
            if failed.__cause__ is None:
                raise
            run.cannot_judge(f"the block's own forward raised {type(failed.__cause__).__name__}",
                             f"{spec.key}.forward[float64]")
        before = {name: t.detach().clone() for name, t in tensors.items()}
        for name, t in tensors.items():
            twin_t = copied[name]
            if twin_t is t or (t.numel() and twin_t.untyped_storage().data_ptr() == t.untyped_storage().data_ptr()):
                raise run.failure(f"the copy shares {name!r} with the original (the same "
                                  f"{'tensor' if twin_t is t else 'storage'})",
                                  "a deep copy owns its tensors: training it would train the original",
                                  body=COPY_BODY, fact=f"{name!r} shared")
            if not bit_identical(twin_t.detach(), t.detach()):
                raise run.failure(f"the copy's {name!r} differs from the original's", body=COPY_BODY)
        registered(run, block, twin)
        for group in ref.tied_names():
            if len({id(copied[name]) for name in group}) != 1:
                raise run.failure(f"the copy unties {group}: one parameter in the original, several in the copy",
                                  body=COPY_BODY, fact=f"{group[0]!r} untied")
        _train_once(run, twin, x, "the copy", COPY_BODY)
        for name, t in tensors.items():
            if not bit_identical(t.detach(), before[name]):
                raise run.failure(f"training the copy changed the original's {name!r}",
                                  "an SGD step on the copy's parameters() wrote into the original's tensors",
                                  body=COPY_BODY + "\n# ... one SGD step on twin, then compare block's tensors",
                                  fact=f"{name!r} changed")
            if isinstance(t, torch.nn.Parameter) and t.grad is not None:
                raise run.failure(f"a backward through the copy gave the original's {name!r} a gradient",
                                  body=COPY_BODY, fact=f"{name!r}.grad set")

    copies_are_independent()


def registered(run: Runner, block: torch.nn.Module, twin: torch.nn.Module) -> None:
    """The copy registers what the original does: the same state-dict keys, and the same parameters
    (names, ``requires_grad``), so that it trains and saves as the original would."""
    def listing(m: torch.nn.Module) -> tuple[list[str], list[tuple[str, bool]]]:
        return list(m.state_dict(keep_vars=True)), [(n, p.requires_grad) for n, p in m.named_parameters()]

    keys, params = run.structural("state_dict() and named_parameters()", lambda: listing(block), COPY_BODY)
    twin_keys, twin_params = run.call("the copy's state_dict() and named_parameters()", lambda: listing(twin),
                                      COPY_BODY)
    if twin_keys != keys:
        missing, extra = [k for k in keys if k not in twin_keys], [k for k in twin_keys if k not in keys]
        raise run.failure("the copy's state_dict() keys differ from the original's",
                          f"original: {keys}\ncopy:     {twin_keys}", body=COPY_BODY,
                          fact=f"{(missing or extra or keys)[0]!r} " + (
                              "missing from the copy" if missing else "only in the copy" if extra else "out of order"))
    if twin_params != params:
        names = dict(twin_params)
        lost = next((n for n, _ in params if n not in names), None)
        frozen = next((n for n, g in params if n in names and names[n] != g), None)
        raise run.failure("the copy's parameters differ from the original's",
                          f"original: {params}\ncopy:     {twin_params} (name, requires_grad)", body=COPY_BODY,
                          fact=(f"{lost!r} not a parameter of the copy" if lost is not None else
                                f"{frozen!r}.requires_grad differs in the copy" if frozen is not None else
                                "parameters listed in another order"))


META_BODY = """with torch.device("meta"):
    block = {code}
print([(n, t.device, tuple(t.shape)) for n, t in block.state_dict().items()])
block = block.to_empty(device={device!r})
with torch.no_grad():  # to_empty leaves the values undefined: the suite writes N(0, 1) ones, seeded
    generator = torch.Generator().manual_seed({seed})
    for t in [*block.parameters(), *block.buffers()]:
        if t.is_floating_point():
            t.copy_(torch.randn(t.shape, generator=generator, dtype=t.dtype))
for m in block.modules():
    if callable(getattr(m, "reset_parameters", None)):
        m.reset_parameters()
print(block.state_dict())
print(block(x))"""


def placeholder_seed(seed: int) -> int:
    """The placeholders' seed: another stream than the example's (``reset_parameters`` runs seeded
    with it, and an N(0, 1) law drawn from the same stream would rewrite the very same values)."""
    return (seed + 0x9E3779B97F4A7C15) % 2**63


def reinitialised(run: Runner, block: torch.nn.Module, seed: int, body: str) -> set[str]:
    """After ``to_empty``: the placeholders written (``write_placeholders``), then every module's own
    ``reset_parameters()`` (seeded). A spec tensor a module answers for (``resetting``) left at its
    placeholder is a failure; the names of those re-initialised, or answered for, are returned."""
    run.call("writing values into the tensors to_empty left (as a user's own init does, in place)",
             lambda: write_placeholders(block, seed), body)
    reset = [m for m in block.modules() if callable(getattr(m, "reset_parameters", None))]
    _, placed = run.spec_tensors(block)
    resets = resetting(block, placed, reset)
    before = {name: t.detach().clone() for name, t in run.reference(block)[1].items()}
    with seeded(seed, run.ctx.device):
        for module in reset:
            run.call(f"{type(module).__name__}.reset_parameters()", getattr(module, "reset_parameters"),  # noqa: B009
                     body)  # (read as a callable: Module.__getattr__ types it as a tensor)
    after = {name: t.detach() for name, t in run.reference(block)[1].items()}
    changed = {name for name in after if not bit_identical(before[name], after[name])}
    stale = [name for name in resets if name not in changed and after[name].numel() > 0
             and after[name].is_floating_point()]  # (the placeholders went into floating tensors)
    if stale:
        owner, name = type(resets[stale[0]]).__name__, stale[0]
        computed = "" if placed[name].is_leaf else (
            f" ({name!r} is computed from what the block stores, a parametrization or a view: "
            "initialising it in place writes into a temporary)")
        raise run.failure(f"after to_empty and reset_parameters(), {name!r} is not re-initialised",
                          f"{owner}.reset_parameters() left {', '.join(map(repr, stale))} at the values the "
                          "suite wrote after to_empty (seeded N(0, 1), standing for the undefined memory "
                          "to_empty leaves): built on the meta device, the block keeps uninitialised values"
                          + computed, body=body, fact=f"{name!r} unchanged by {owner}.reset_parameters()")
    return changed | set(resets)


def write_placeholders(block: torch.nn.Module, seed: int) -> None:
    """Write N(0, 1) values (seeded) into every floating-point parameter and buffer, in place: the
    values ``to_empty`` leaves are undefined, so a tensor nothing re-initialises would otherwise make
    the verdict depend on whatever the memory held (a NaN or an overflowing value, now and then)."""
    generator = torch.Generator().manual_seed(placeholder_seed(seed))
    with torch.no_grad():
        for t in {id(t): t for t in [*block.parameters(), *block.buffers()]}.values():
            if t.is_floating_point() and not is_uninitialized(t):
                t.copy_(torch.randn(t.shape, generator=generator, dtype=t.dtype))


def resetting(block: torch.nn.Module, tensors: dict[str, torch.Tensor],
              reset: list[torch.nn.Module]) -> dict[str, torch.nn.Module]:
    """The spec's tensors a module's ``reset_parameters()`` answers for, with that module: its own
    parameters and buffers; a tensor read at its attribute path (``0.weight`` is ``block[0]``'s), which
    a parametrization or a view computes from what it stores; and, where the module holding a tensor
    has no ``reset_parameters()``, the nearest enclosing module's that has one (a block resetting its
    children's tensors itself)."""
    by_id = {id(m): m for m in reset}
    owned = {id(t): m for m in reset for t in [*m.parameters(recurse=False), *m.buffers(recurse=False)]}
    out = {}
    for name, t in tensors.items():
        if id(t) in owned:
            out[name] = owned[id(t)]
            continue
        path = name.split(".")[:-1]
        for depth in range(len(path), -1, -1):  # the holder first, then each enclosing module
            try:
                module = reduce(getattr, path[:depth], block)
            except AttributeError:
                continue
            if id(module) in by_id:
                out[name] = by_id[id(module)]
                break
    return out


def _constructor(ctx: CheckContext, spec: BlockSpec) -> Any:
    """The target's constructor for ``spec`` (NotProvided where it is an instance: nothing is built)."""
    c = construction(ctx.target, spec.name)
    if c.kind == INSTANCE:
        raise NotProvided(NotProvided.PREFIX + f"{spec.name} is an instance: the contract builds none")
    return ctx.target.get(spec.name)


def check_meta(ctx: CheckContext, check: Check, *, spec: BlockSpec) -> None:
    """Built under ``torch.device("meta")``: no tensor on a real device, the spec's names and shapes;
    after ``to_empty`` and the modules' own ``reset_parameters()``: on the device, computing what the
    spec computes on its values, and following the spec's init law where a module re-initialised them."""
    _constructor(ctx, spec)
    prec = ctx.precision(check.id, "float32")

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def materialises(data: st.DataObject) -> None:
        drawn = draw_example(data, ctx, spec, "float32", plain=True)
        run = Runner(ctx, check, spec, drawn)
        body = META_BODY.format(code=run.example.code, device=ctx.device, seed=placeholder_seed(drawn.example.seed))
        try:
            with torch.device("meta"):
                block = run.call('construction under torch.device("meta")',
                                 lambda: run.example.construct(ctx.target), body)
        except AssertionError as failed:
            if failed.__cause__ is not None:  # raising off the meta device too, the example is not judged
                run.build()                   # here (``Runner.build`` defers it to the structure check)
            raise
        if not isinstance(block, torch.nn.Module):
            raise run.failure(f"the construction gave a {type(block).__name__}, not a torch.nn.Module", body=body)
        listed = run.call("state_dict() of the meta block", lambda: block.state_dict(keep_vars=True), body)
        real = [f"{n} ({t.device})" for n, t in listed.items()
                if isinstance(t, torch.Tensor) and not is_uninitialized(t) and not t.is_meta]
        if real:
            raise run.failure('the block allocated real memory under torch.device("meta")',
                              f"tensors not on the meta device: {', '.join(real)}", body=body,
                              fact=f"{real[0]} not meta")
        ref = spec.reference(drawn.args)
        width = spec.input_width(drawn.args)
        if is_lazy(block) and width is not None:  # sized as torch documents it: a dry run on a meta input
            try:
                with torch.device("meta"):
                    sized(block, width, torch.float32, "meta")
            except Exception as exc:  # noqa: BLE001 - e.g. a forward that reads values (the halving loop)
                raise NotProvided(NotProvided.PREFIX + f"{spec.name} is lazy and its first forward cannot run on "
                                  f"the meta device ({type(exc).__name__}: {str(exc).splitlines()[0]}): it cannot be "
                                  "sized there") from None
        try:
            spec_tensors(block, ref)
        except LayoutError as exc:
            raise run.failure('the block built under torch.device("meta") does not have the spec\'s names and '
                              "shapes", str(exc), body=body) from None
        run.exercises(ref)
        block = run.call(f"block.to_empty(device={ctx.device!r})", lambda: block.to_empty(device=ctx.device), body)
        if not isinstance(block, torch.nn.Module):
            raise run.failure(f"block.to_empty(device={ctx.device!r}) returned a {type(block).__name__}, not the "
                              "block (torch's returns self)", body=body)
        after_move = run.call("state_dict() after to_empty", lambda: block.state_dict(keep_vars=True), body)
        left = [n for n, t in after_move.items() if isinstance(t, torch.Tensor) and t.is_meta]
        if left:
            raise run.failure(f"block.to_empty(device={ctx.device!r}) left tensors on the meta device",
                              f"still meta: {', '.join(left)}", body=body, fact=f"{left[0]} still on the meta device")
        judged = reinitialised(run, block, drawn.example.seed, body)
        follows_laws_and_computes(run, spec, block, prec, "after to_empty and reset_parameters()", body,
                                  judged=judged)

    materialises()


FACTORY_BODY = """block = {code}
print([(n, t.dtype, t.device) for n, t in block.state_dict().items()])
print(block(x))"""


def takes_factory_keywords(obj: Any) -> bool | None:
    """The constructor's signature names ``dtype`` and ``device`` (True), cannot (False), or may
    through ``**kwargs`` or an unreadable signature (None: the call decides)."""
    try:
        params = inspect.signature(obj).parameters
    except (TypeError, ValueError):
        return None  # a builtin: take it at its word
    if {"dtype", "device"} <= set(params):
        return True
    return None if any(p.kind is p.VAR_KEYWORD for p in params.values()) else False


def check_factory(ctx: CheckContext, check: Check, *, spec: BlockSpec, dtype: str) -> None:
    """``Block(..., dtype=, device=)``: every tensor in that dtype on that device, the init law held
    there, and a forward in that dtype that computes what the spec computes."""
    obj = _constructor(ctx, spec)
    named = takes_factory_keywords(obj)
    theirs = ctx.target.names.get(spec.name, spec.name)
    if named is False:
        raise NotProvided(NotProvided.PREFIX + f"{theirs}'s constructor takes no dtype=/device= (factory keywords)")
    prec = ctx.precision(check.id, dtype)

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def built_in_place(data: st.DataObject) -> None:
        drawn = draw_example(data, ctx, spec, dtype, plain=True)
        run = Runner(ctx, check, spec, drawn)
        base = run.example.code
        assume(base.endswith(")") and not base.startswith("copy."))
        code = base[:-1] + ("" if base.endswith("()") else ", ") + f"dtype=torch.{dtype}, device={ctx.device!r})"
        body = FACTORY_BODY.format(code=code)
        with seeded(drawn.example.seed, ctx.device):
            if named is None:  # **kwargs: a constructor that refuses the keywords does not take them
                try:
                    block = eval(code, {"target": ctx.target, "torch": torch})  # noqa: S307
                except Exception as exc:  # noqa: BLE001 - its refusal says it has no factory keywords
                    raise NotProvided(NotProvided.PREFIX + f"{theirs}'s constructor does not take dtype=/device= "
                                      f"through its catch-all arguments ({type(exc).__name__}: {exc})") from None
            else:
                block = run.call(code, lambda: eval(code, {"target": ctx.target, "torch": torch}), body)  # noqa: S307
            if not isinstance(block, torch.nn.Module):
                raise run.failure(f"{code} gave a {type(block).__name__}, not a torch.nn.Module", body=body)
            width = spec.input_width(drawn.args)
            if is_lazy(block) and width is not None:  # sized as torch documents it, in the dtype asked for
                first = f"torch.zeros(1, {width}, dtype=torch.{dtype}, device={ctx.device!r})"
                sizing = f"\nwith torch.no_grad():  # sizes the lazy block\n    block({first})"
                body = FACTORY_BODY.format(code=code + sizing)
                run.call(f"the first forward of the lazy block (on torch.zeros(1, {width}, dtype=torch.{dtype}))",
                         lambda: sized(block, width, getattr(torch, dtype), ctx.device), body)
        listed = run.call("state_dict()", lambda: block.state_dict(keep_vars=True), body)
        # (integer buffers, such as a step counter, keep their dtype: torch's own do)
        wrong = [f"{n} ({t.dtype}, {t.device})" for n, t in listed.items() if isinstance(t, torch.Tensor)
                 and ((t.is_floating_point() and t.dtype != getattr(torch, dtype))
                      or t.device.type != torch.device(ctx.device).type)]
        if wrong:
            raise run.failure(f"built with dtype=torch.{dtype}, device={ctx.device!r}, the block holds tensors of "
                              "another dtype or device", ", ".join(wrong), body=body,
                              fact=f"{wrong[0]}, not torch.{dtype}")
        follows_laws_and_computes(run, spec, block, prec, f"built with dtype=torch.{dtype}", body)

    built_in_place()


def check_bad_args(ctx: CheckContext, check: Check, *, spec: BlockSpec) -> None:
    """Every constructor call the declaration forbids (``BlockSpec.bad_args``) raises one of the
    exceptions it names, within the time limit; constructing a block there is a failure."""
    _constructor(ctx, spec)
    cases = [c for c in spec.bad_args if spec.restrict(dict(c.args), ctx.target) == dict(c.args)]
    built = construction(ctx.target, spec.name)
    if built.kind == LAZY_SIZES:  # the size a lazy block infers is never passed: a case forbidding it does not apply
        lazy = SIGNATURES[spec.name][1]
        cases = [c for c in cases if not (isinstance(c.args.get(lazy), int) and c.args[lazy] < 0)]
    if not cases:
        raise NotProvided(NotProvided.PREFIX + f"{spec.name} is built at fixed sizes: no forbidden size can be passed")

    @ctx.hypothesis_settings()
    @given(case=st.sampled_from(cases))
    def forbidden_arguments_raise(case: Any) -> None:
        from conformance.checks.common import Drawn
        from conformance.drawing.examples import Example

        code = spec.code(dict(case.args), ctx.target)
        run = Runner(ctx, check, spec, Drawn(dict(case.args), Example(code=code, dtype="float32", seed=0)))
        body = f"block = {code}  # should raise {' or '.join(e.__name__ for e in case.raises)}: {case.why}"
        def construct() -> Any:
            block = run.example.construct(ctx.target)
            if is_lazy(block):  # a lazy block may refuse its sizes when it sizes itself, on its first forward
                sized(block, spec.input_width(dict(case.args)) or 1)
            return block

        made, raised = raised_by(run, f"constructing {code}", construct, body)
        if raised is None:
            raise run.failure(f"{code} constructed a block: {case.why}",
                              f"it returned {type(made).__name__}; the spec asks for "
                              f"{' or '.join(e.__name__ for e in case.raises)}", body=body,
                              fact=f"{code} did not raise")
        if not isinstance(raised, case.raises):
            raise run.failure(f"{code} raised {type(raised).__name__}, not "
                              f"{' or '.join(e.__name__ for e in case.raises)}", str(raised), body=body)

    forbidden_arguments_raise()

"""How the target's object for a contract name is called, read from its signature.

The contract calls ``Linear(in_features, out_features, bias=...)``, ``MLP(in_features=20, ...)``, and
so on. Real code meets it in other ways, each judged on what it can express:

- **sizes**: the factory takes the contract's size arguments, by the contract's names (passed as
  keywords) or in the contract's order (passed positionally); ``bias`` only if it names a ``bias``
  parameter (else only ``bias=True`` blocks are drawn, and ``bias=False`` is *not provided*).
- **lazy sizes**: the factory takes every size but the input width (``nn.LazyLinear(out_features)``):
  the block infers it on its first forward.
- **fixed**: the factory takes no size arguments (the tutorial's ``MLP()``): checked at the spec's
  default sizes only.
- **catch-alls only** (``def __init__(self, **kwargs)``, ``(*args, **kwargs)``): the signature says
  nothing, so the factory is built once, at small sizes none of the spec's defaults
  (``probe_sizes``), by keyword then by position: it takes sizes if that builds a block whose
  parameters have the spec's shapes at those sizes (or shapes that follow the sizes asked for);
  otherwise it is fixed (the tutorial's ``MLP(**kwargs)``, whose ``nn.Module.__init__`` refuses them).
- **instance**: an ``nn.Module`` instance (``chimera = nn.Sequential(...)``): every example works on a
  deep copy, at the spec's default sizes; checks that need fresh constructions are *not checked*.

Anything else (a fixed-size block whose spec has no default sizes, a container given as an instance)
is *not provided*, with the reason.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Callable

from conformance.loading.target import Target

SIZES, LAZY_SIZES, FIXED, INSTANCE, CONTAINER, UNUSABLE = "sizes", "lazy sizes", "fixed", "instance", "container", \
    "unusable"


@dataclass(frozen=True)
class Construction:
    """How one contract name of one target is called."""

    name: str                          # the contract name
    kind: str                          # one of the kinds above
    keywords: bool = False             # sizes passed by the contract's names (else positionally)
    bias: bool = True                  # a ``bias`` argument can be passed
    bias_by_position: bool = False     # ``bias`` is positional-only (``def __init__(self, i, o, bias=True, /)``)
    bare: bool = False                 # can be called without arguments (its defaults are then the spec's)
    reason: str = ""                   # UNUSABLE: why; else what the report notes about it

    @property
    def usable(self) -> bool:
        return self.kind != UNUSABLE

    @property
    def fresh(self) -> bool:
        """Each construction is a new block, seeded by torch's RNG (not a copy of one instance)."""
        return self.kind != INSTANCE


#: contract name -> (its size arguments in the contract's order, the one a lazy block infers, the
#: spec's default sizes or None, whether it takes ``bias``), as each block's declaration states it
#: (``conformance.database.declare``, through ``register_signature``). Containers take ``*blocks``.
SIGNATURES: dict[str, tuple[tuple[str, ...], str | None, dict | None, bool]] = {}
CONTAINERS = ("Sequential", "MySequential")
#: contract name -> the arguments a declared block's constructor takes by name besides its sizes.
OPTIONS: dict[str, tuple[str, ...]] = {}
#: contract name -> the spec's reference module at given sizes (the other arguments at their base
#: values): what a catch-all constructor's parameter shapes are probed against.
SPEC_REFERENCES: dict[str, Callable[[dict], Any]] = {}


def register_signature(name: str, sizes: tuple[str, ...], options: tuple[str, ...], lazy: str | None = None,
                       defaults: dict | None = None, bias: bool = False,
                       reference: Callable[[dict], Any] | None = None) -> None:
    """A declared block's constructor (``conformance.database.declare``): its sizes (in order), the one
    a lazy block infers, the spec's default sizes (None: none), whether it takes ``bias``, the options
    passed by name, and the spec's reference module at given sizes."""
    SIGNATURES[name] = (sizes, lazy, defaults, bias)
    OPTIONS[name] = options
    if reference is not None:
        SPEC_REFERENCES[name] = reference


def _binds(sig: inspect.Signature | None, *args: Any, **kwargs: Any) -> bool:
    if sig is None:
        return True
    try:
        sig.bind(*args, **kwargs)
    except TypeError:
        return False
    return True


def _signature(obj: Any) -> inspect.Signature | None:
    try:
        return inspect.signature(obj)
    except (TypeError, ValueError):  # a builtin or C extension: take it at its word
        return None


def describe_call(name: str, sig: inspect.Signature | None) -> str:
    return f"{name}{sig}" if sig is not None else f"{name}(...)"


def construction(target: Target, name: str) -> Construction:
    """How ``target``'s object for contract ``name`` is called (computed once per target)."""
    key = ("construction", name)
    if key not in target.cache:
        target.cache[key] = _classify(target, name)
    return target.cache[key]


def _classify(target: Target, name: str) -> Construction:
    import torch  # here, not at import: listing the checks imports no torch

    obj = target.get(name)
    theirs = target.names.get(name, name)
    if name in CONTAINERS:
        if isinstance(obj, torch.nn.Module):
            return Construction(name, UNUSABLE, reason=f"{theirs} is an instance; the contract builds {name}(*blocks) "
                                                        "from blocks it draws, so it needs the class")
        return Construction(name, CONTAINER)
    if name not in SIGNATURES:
        return Construction(name, SIZES)
    params, lazy_param, defaults, has_bias = SIGNATURES[name]
    contract_call = f"{name}({', '.join(params)}{', bias=True' if has_bias else ''})"
    if isinstance(obj, torch.nn.Module):
        if defaults is None:
            return Construction(name, UNUSABLE, reason=f"{theirs} is an instance; the contract's {contract_call} "
                                                        "has no default sizes, so it needs the class")
        sizes = ", ".join(f"{k}={v}" for k, v in defaults.items())
        return Construction(name, INSTANCE, reason=f"an instance ({theirs}): every example uses a deep copy, "
                                                   f"checked at the spec's sizes{f' ({sizes})' if sizes else ''}")
    if not callable(obj):
        return Construction(name, UNUSABLE, reason=f"{theirs} is a {type(obj).__name__}, neither a class, a "
                                                    "factory nor an nn.Module instance")
    sig = _signature(obj)
    if params and sig is not None and _catch_all(sig):
        return _probed(target, name, obj, sig)
    bias = has_bias and (sig is None or "bias" in sig.parameters
                         or any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()))
    no_bias = "" if bias or not has_bias else (f"; bias=False not provided: {describe_call(theirs, sig)} "
                                               "takes no bias argument")
    bias_by_position = bias and sig is not None and "bias" in sig.parameters and (
        sig.parameters["bias"].kind is inspect.Parameter.POSITIONAL_ONLY)
    sample = {p: 3 for p in params}
    by_name = sig is None or all(p in sig.parameters for p in params)
    in_order = sig is None or [p.name for p in sig.parameters.values()][:len(params)] == list(params)
    bare = bool(params) and _binds(sig)
    if not params or (_binds(sig, *sample.values()) and (in_order or not by_name)):
        order = [] if sig is None else list(sig.parameters)
        misplaced = [p for i, p in enumerate(params) if p in order and order.index(p) != i]
        if misplaced:  # by position, as the contract orders them, although the signature names some elsewhere
            no_bias += (f"; sizes passed by position in the contract's order ({contract_call}), but "
                        f"{describe_call(theirs, sig)} names {', '.join(misplaced)} at another position: where its "
                        f"sizes mean the contract's, give them the contract's names or order")
        return Construction(name, SIZES, keywords=False, bias=bias, bias_by_position=bias_by_position, bare=bare,
                            reason=no_bias.lstrip("; "))
    if by_name and _binds(sig, **sample):
        return Construction(name, SIZES, keywords=True, bias=bias, bare=bare, reason=no_bias.lstrip("; "))
    lazy = {p: 3 for p in params if p != lazy_param}
    if lazy_param is not None and lazy and _binds(sig, **lazy):
        return Construction(name, LAZY_SIZES, keywords=True, bias=bias,
                            reason=f"{describe_call(theirs, sig)} takes no {lazy_param}: the block infers it on its "
                                   f"first forward{no_bias}")
    if _binds(sig):
        if defaults is None:
            return Construction(name, UNUSABLE, reason=f"{describe_call(theirs, sig)} takes no size arguments, and "
                                                        f"the contract's {contract_call} has no default sizes")
        sizes = ", ".join(f"{k}={v}" for k, v in defaults.items())
        return Construction(name, FIXED, reason=f"checked at fixed sizes: {describe_call(theirs, sig)} takes no "
                                                f"size arguments, so it is judged as the spec's {name}({sizes})")
    return Construction(name, UNUSABLE, reason=f"{describe_call(theirs, sig)} cannot be called as the contract's "
                                                f"{contract_call}, nor without arguments")


def _catch_all(sig: inspect.Signature | None) -> bool:
    """Every parameter is ``*args`` or ``**kwargs``: the signature cannot say what the factory takes."""
    return sig is not None and bool(sig.parameters) and all(
        p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in sig.parameters.values())


def probe_sizes(name: str, second: bool = False) -> dict[str, int]:
    """Small sizes, distinct and none a default of the spec, at which a catch-all factory is built
    (``second``: other such sizes, to see whether its shapes follow the sizes asked for)."""
    params = SIGNATURES[name][0]
    return dict(zip(params, (4, 6, 5) if second else (3, 5, 4), strict=False))  # at most three sizes


def _fixed_or_unusable(name: str, theirs: str, sig: inspect.Signature | None, why: str) -> Construction:
    """The construction of a factory that does not build the sizes it is given (``why`` says how)."""
    params, _, defaults, has_bias = SIGNATURES[name]
    contract_call = f"{name}({', '.join(params)}{', bias=True' if has_bias else ''})"
    if defaults is None:
        return Construction(name, UNUSABLE, reason=f"{describe_call(theirs, sig)} does not build the sizes it is "
                                                    f"given ({why}), and the contract's {contract_call} has no "
                                                    "default sizes")
    sizes = ", ".join(f"{k}={v}" for k, v in defaults.items())
    return Construction(name, FIXED, reason=f"checked at fixed sizes: {describe_call(theirs, sig)} does not build "
                                            f"the sizes it is given ({why}), so it is judged as the spec's "
                                            f"{name}({sizes})")


def _probed(target: Target, name: str, obj: Any, sig: inspect.Signature) -> Construction:
    """A factory whose parameters are only catch-alls, classified by building it (see the module's
    docstring): by keyword, else by position, at ``probe_sizes``; ``bias`` if ``bias=False`` changes
    the parameters it builds."""
    theirs = target.names.get(name, name)
    sizes = probe_sizes(name)
    spec_shapes = _shapes(SPEC_REFERENCES[name](sizes).named_parameters())
    ways = [True] + ([False] if any(p.kind is p.VAR_POSITIONAL for p in sig.parameters.values()) else [])
    failures = []
    for keywords in ways:
        call = _call_text(theirs, sizes, keywords)
        built, raised = _build(obj, call, sizes, keywords)
        if raised:
            failures.append(f"{call} raised {raised}")
            continue
        # Not the spec's parameter shapes: it takes the sizes if its shapes follow them (unread shapes: it took them).
        other = probe_sizes(name, second=True)
        if built is not None and built != spec_shapes and \
                _build(obj, _call_text(theirs, other, keywords), other, keywords)[0] == built:
            failures.append(f"{call} builds the parameter shapes it builds at other sizes")
            continue
        bias = False
        if SIGNATURES[name][3]:
            call_without = call[:-1] + ", bias=False)"
            without, raised = _build(obj, call_without, {**sizes, "bias": False}, keywords)
            bias = not raised and (built is None or without != built)
            if not bias:
                why = f"raised {raised}" if raised else "builds the parameters it builds with bias"
                return Construction(name, SIZES, keywords=keywords, bias=False,
                                    reason=f"bias=False not provided: {call_without} {why}")
        return Construction(name, SIZES, keywords=keywords, bias=bias)
    return _fixed_or_unusable(name, theirs, sig, "; ".join(failures))


def _call_text(theirs: str, sizes: dict, keywords: bool) -> str:
    parts = [f"{k}={v!r}" for k, v in sizes.items()] if keywords else [repr(v) for v in sizes.values()]
    return f"{theirs}({', '.join(parts)})"


def _shapes(named: Any) -> list[tuple[int, ...]]:
    return sorted(tuple(value.shape) for _, value in named)


def _build(obj: Any, call: str, sizes: dict, keywords: bool) -> "tuple[list[tuple[int, ...]] | None, str]":
    """Build ``obj`` once (``call`` in words) with ``sizes`` (``bias`` always by keyword), under the
    per-call time limit, leaving torch's, numpy's and Python's random state as it was: its parameters'
    shapes (None when they cannot be read: the checks report that) and "", or None and what it raised."""
    import random

    import numpy as np
    import torch

    from conformance.sandbox.exits import refuse_exit
    from conformance.sandbox.timeouts import DEFAULT_CALL_TIMEOUT_S, TargetTimeout, time_limit

    bias = {k: v for k, v in sizes.items() if k == "bias"}
    sized = {k: v for k, v in sizes.items() if k != "bias"}
    states = random.getstate(), np.random.get_state()
    try:
        with torch.random.fork_rng(devices=[]), refuse_exit(), time_limit(DEFAULT_CALL_TIMEOUT_S, call):
            block = obj(**sized, **bias) if keywords else obj(*sized.values(), **bias)
            try:
                return _shapes(block.named_parameters()), ""
            except Exception:  # noqa: BLE001 - it took the sizes; its parameters are the checks' to judge
                return None, ""
    except (Exception, SystemExit, TargetTimeout) as exc:  # noqa: BLE001 - the target's code: any failure
        return None, f"{type(exc).__name__}: {exc}".rstrip(": ")
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])


def restrict_args(target: Target, name: str, args: dict) -> dict:
    """Drawn constructor arguments as the target can take them: the spec's default sizes for a fixed
    block or an instance; ``bias=True`` where the signature has no ``bias``."""
    c = construction(target, name)
    _, _, defaults, has_bias = SIGNATURES.get(name, ((), None, None, False))
    if c.kind in (FIXED, INSTANCE) and defaults is not None:
        return {**args, **defaults}
    if has_bias and not c.bias and "bias" in args:
        return {**args, "bias": True}
    return args


def call_code(target: Target, name: str, args: dict, prefix: str = "target") -> str:
    """The expression that builds ``name`` with ``args`` (over ``target``, ``nn`` and ``copy``)."""
    c = construction(target, name)
    params, lazy_param, defaults, has_bias = SIGNATURES.get(name, ((), None, None, False))
    if c.kind == INSTANCE:
        return f"copy.deepcopy({prefix}.{name})"
    if c.kind == FIXED or (c.bare and defaults and all(args.get(k) == v for k, v in defaults.items())):
        return f"{prefix}.{name}()"  # the spec's default sizes: through the constructor's own defaults
    sizes = [p for p in params if not (c.kind == LAZY_SIZES and p == lazy_param)]
    parts = [f"{p}={args[p]!r}" for p in sizes] if c.keywords else [repr(args[p]) for p in sizes]
    if has_bias and c.bias:
        parts.append(f"{'' if c.bias_by_position else 'bias='}{args.get('bias', True)!r}")
    parts += [f"{o}={args[o]!r}" for o in OPTIONS.get(name, ()) if o in args]
    return f"{prefix}.{name}({', '.join(parts)})"


def notes(target: Target, names: tuple[str, ...]) -> list[str]:
    """What a report says of how ``names`` were built (fixed sizes, instances, lazy, no bias)."""
    out = []
    for name in names:
        if target.provides(name):
            c = construction(target, name)
            if c.reason and c.usable:
                out.append(f"{name}: {c.reason}")
    return out

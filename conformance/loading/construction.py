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
- **instance**: an ``nn.Module`` instance (``chimera = nn.Sequential(...)``): every example works on a
  deep copy, at the spec's default sizes; checks that need fresh constructions are *not checked*.

Anything else (a fixed-size block whose spec has no default sizes, a container given as an instance)
is *not provided*, with the reason.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

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
#: spec's default sizes or None, whether it takes ``bias``). Containers take ``*blocks`` instead.
SIGNATURES: dict[str, tuple[tuple[str, ...], str | None, dict | None, bool]] = {
    "Linear": (("in_features", "out_features"), "in_features", None, True),
    "MyLinear": (("in_units", "units"), "in_units", None, False),
    "MLP": (("in_features", "hidden_features", "out_features"), "in_features",
            {"in_features": 20, "hidden_features": 256, "out_features": 10}, False),
    "NestMLP": (("in_features",), "in_features", {"in_features": 20}, False),
    "FixedHiddenMLP": (("features",), "features", {"features": 20}, False),
    "Chimera": ((), None, {}, False),
    "CenteredLayer": ((), None, {}, False),
    "ReLU": ((), None, {}, False),
}
CONTAINERS = ("Sequential", "MySequential")


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
    bias = has_bias and (sig is None or "bias" in sig.parameters
                         or any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()))
    no_bias = "" if bias or not has_bias else (f"; bias=False not provided: {describe_call(theirs, sig)} "
                                               "takes no bias argument")
    sample = {p: 3 for p in params}
    by_name = sig is None or all(p in sig.parameters for p in params)
    in_order = sig is None or [p.name for p in sig.parameters.values()][:len(params)] == list(params)
    bare = bool(params) and _binds(sig)
    if not params or (_binds(sig, *sample.values()) and (in_order or not by_name)):
        return Construction(name, SIZES, keywords=False, bias=bias, bare=bare, reason=no_bias.lstrip("; "))
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
        parts.append(f"bias={args.get('bias', True)!r}")
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

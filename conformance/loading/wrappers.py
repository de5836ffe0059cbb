"""Blocks as libraries ship them: recognise torch's own wrappers and read a block's tensors as its
forward sees them.

A wrapper keeps a block's behaviour and moves its tensors: ``torch.compile`` (``_orig_mod.``),
``torch.jit.script``, ``torch.nn.utils.parametrize`` (``parametrizations.weight.original``),
weight norm (``weight_g``/``weight_v``, or ``original0``/``original1``), pruning (``weight_orig``
and a ``weight_mask`` buffer, ``weight`` recomputed by a forward pre-hook), spectral norm, and a
library wrapper holding one inner module (``module.``, ``_module.``). The spec names the tensors
the forward uses (the *effective* ones); ``spec_name`` maps a wrapped name back to it, ``wrappers``
names the wrappers in words, and ``forward_view`` records the effective tensors during a forward,
after every forward pre-hook and through parametrizations (what that forward computed with).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from functools import reduce
from typing import Iterator

import torch

#: Prefixes of a library wrapper's one inner module (``DataParallel``, opacus's ``GradSampleModule``).
INNER_NAMES = ("module", "_module")


@dataclass(frozen=True)
class Wrapper:
    where: str      # the module's path in the block ("" for the block itself)
    kind: str       # compiled, scripted, parametrized, weight-normed, pruned, spectral-normed, wrapper
    text: str       # in words, for a note or a failure


def _hook_kinds(module: torch.nn.Module) -> list[tuple[str, str, str]]:
    """(kind, tensor name, how) for the forward pre-hooks torch's utilities register on ``module``."""
    from torch.nn.utils import prune
    from torch.nn.utils.spectral_norm import SpectralNorm
    from torch.nn.utils.weight_norm import WeightNorm

    found = []
    hooks = getattr(module, "_forward_pre_hooks", None) or {}
    for hook in hooks.values():
        if isinstance(hook, prune.BasePruningMethod):
            name = getattr(hook, "_tensor_name", "weight")
            found.append(("pruned", name, f"torch.nn.utils.prune: `{name}` is recomputed as `{name}_orig * "
                                          f"{name}_mask` by a forward pre-hook"))
        elif isinstance(hook, WeightNorm):
            found.append(("weight-normed", hook.name, f"torch.nn.utils.weight_norm: `{hook.name}` is recomputed from "
                                                      f"`{hook.name}_g` and `{hook.name}_v` by a forward pre-hook"))
        elif isinstance(hook, SpectralNorm):
            found.append(("spectral-normed", hook.name, f"torch.nn.utils.spectral_norm: `{hook.name}` is recomputed "
                                                        f"from `{hook.name}_orig` by a forward pre-hook"))
    return found


def _parametrization_kind(module: torch.nn.Module, name: str) -> str:
    chain = getattr(module.parametrizations, name)  # type: ignore[union-attr]
    kinds = {type(p).__name__ for p in chain}
    if "_WeightNorm" in kinds:
        return "weight-normed"
    if "_SpectralNorm" in kinds:
        return "spectral-normed"
    return "parametrized"


def is_compiled(module: object) -> bool:
    return (isinstance(module, torch.nn.Module) and hasattr(module, "_orig_mod")
            and type(module).__name__ == "OptimizedModule")


def is_scripted(module: object) -> bool:
    return isinstance(module, torch.jit.ScriptModule)


def wrappers(block: torch.nn.Module) -> list[Wrapper]:
    """Every wrapper in ``block`` (itself and its submodules), outermost first."""
    from torch.nn.utils import parametrize

    found: list[Wrapper] = []
    try:
        listed = list(block.named_modules())
    except Exception:  # noqa: BLE001 - a block that cannot list its modules is the structure check's
        return found
    scripted = {where for where, module in listed if is_scripted(module)}
    for where, module in listed:
        at = f"`{where}.`" if where else "the block"
        if is_compiled(module):
            found.append(Wrapper(where, "compiled", f"{at} is a compiled wrapper (torch.compile's OptimizedModule): "
                                                    f"its parameters live under `{_join(where, '_orig_mod')}.`"))
        elif is_scripted(module) and (not where or where.rpartition(".")[0] not in scripted):
            found.append(Wrapper(where, "scripted", f"{at} is a TorchScript module (torch.jit.script)"))
        if parametrize.is_parametrized(module):
            for name in module.parametrizations:  # type: ignore[union-attr]
                kind = _parametrization_kind(module, name)
                stored = _join(where, f"parametrizations.{name}.original")
                found.append(Wrapper(where, kind, f"{at} is {kind} (torch.nn.utils.parametrize): "
                                                  f"`{_join(where, name)}` is computed from `{stored}...`"))
        for kind, _, how in _hook_kinds(module):
            found.append(Wrapper(where, kind, f"{at} is {kind} ({how})"))
        if not where and _inner(module) is not None:
            inner_name = next(n for n, _ in module.named_children())
            found.append(Wrapper(where, "wrapper", f"the block is a {type(module).__name__} wrapper holding one inner "
                                                   f"module: its parameters live under `{inner_name}.`"))
    return found


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _inner(module: torch.nn.Module) -> torch.nn.Module | None:
    """A library wrapper's one inner module: the only child, named ``module`` or ``_module``, holding
    every parameter (the wrapper has none of its own)."""
    children = list(module.named_children())
    if len(children) != 1 or children[0][0] not in INNER_NAMES:
        return None
    if any(True for _ in module.named_parameters(recurse=False)):
        return None
    return children[0][1]


def describe(block: torch.nn.Module) -> str:
    """The wrappers of ``block`` in words ("" when it has none)."""
    return "; ".join(w.text for w in wrappers(block))


def summary(block: torch.nn.Module) -> str:
    """The wrappers of ``block`` in words that do not depend on its size: the block's own in full,
    those of blocks inside by kind only (for a note that reads the same for every example)."""
    found = wrappers(block)
    inside = sorted({w.kind for w in found if w.where})
    parts = [w.text for w in found if not w.where]
    if inside:
        parts.append(f"blocks inside it are {', '.join(inside)}")
    return "; ".join(parts)


def unwrap(block: torch.nn.Module) -> torch.nn.Module:
    """The module inside a compiled or library wrapper (repeatedly); any other block as it is."""
    while True:
        if is_compiled(block):
            block = block._orig_mod  # type: ignore[assignment]
        elif (inner := _inner(block)) is not None:
            block = inner
        else:
            return block


#: The tensors each pre-hook utility keeps in place of ``name``: suffix -> whether it stands for
#: ``name`` (True) or is the wrapper's own state (False).
SUFFIXES = {"pruned": {"_orig": True, "_mask": False}, "weight-normed": {"_g": True, "_v": True},
            "spectral-normed": {"_orig": True, "_u": False, "_v": False}}


def spec_name(name: str, suffixes: dict[str, bool] | None = None) -> str | None:
    """The name the spec gives the tensor a wrapper keeps as ``name`` (``0._orig_mod.weight`` ->
    ``0.weight``, ``parametrizations.weight.original`` -> ``weight``, ``weight_orig`` -> ``weight``);
    None for what a wrapper adds of its own (a pruning mask, spectral norm's power-iteration vectors).
    ``suffixes``: leaf suffix -> stands for the tensor (see ``SUFFIXES``), where a pre-hook utility
    wraps ``name``'s module."""
    parts = [p for p in name.split(".") if p != "_orig_mod"]
    if parts and parts[0] in INNER_NAMES:
        parts = parts[1:]
    if "parametrizations" in parts:
        i = parts.index("parametrizations")
        tail = parts[i + 2:]
        if tail and tail[0].startswith("original"):
            return ".".join(parts[:i] + [parts[i + 1]])
        return None  # a parametrization's own state (spectral norm's _u, _v)
    for suffix, stands in (suffixes or {}).items():
        leaf = parts[-1]
        if leaf.endswith(suffix) and len(leaf) > len(suffix):
            return ".".join(parts[:-1] + [leaf[: -len(suffix)]]) if stands else None
    return ".".join(parts)


def spec_names(block: torch.nn.Module, names: list[str]) -> dict[str, str | None]:
    """``spec_name`` of each of ``block``'s tensor ``names`` (from ``named_parameters()`` or
    ``state_dict()``), the suffixes read as a wrapper's only on a module that torch's utilities wrap."""
    hooked: dict[str, dict[str, dict[str, bool]]] = {}
    for where, module in block.named_modules(remove_duplicate=False):  # a shared block under every name
        for kind, tensor, _ in _hook_kinds(module):
            hooked.setdefault(where, {})[tensor] = SUFFIXES[kind]
    out: dict[str, str | None] = {}
    for name in names:
        where, _, leaf = name.rpartition(".")
        suffixes = next((sfx for tensor, sfx in hooked.get(where, {}).items()
                         if any(leaf == tensor + s for s in sfx)), None)
        out[name] = spec_name(name, suffixes)
    return out


def modules(block: torch.nn.Module) -> list[torch.nn.Module]:
    """``block.modules()``, or only the block itself where listing them raises (children keyed by
    an object, not a name: the structure check reports that)."""
    try:
        return list(block.modules())
    except Exception:  # noqa: BLE001 - the target's own listing failed; judged by the structure check
        return [block]


def has_pre_hooks(block: torch.nn.Module) -> bool:
    """Whether a forward pre-hook may change the tensors ``block``'s forward reads (pruning, the
    pre-hook weight and spectral norms, or a hook of the block's own)."""
    return any(getattr(m, "_forward_pre_hooks", None) for m in modules(block))


class Seen(dict):
    """``forward_view``'s record: spec name -> the tensor the first call used; ``later``: the other
    tensors later calls used under that name (recomputed by a pre-hook at each call)."""

    def __init__(self) -> None:
        super().__init__()
        self.later: dict[str, list[torch.Tensor]] = {}

    def gradient(self, name: str, first: torch.Tensor | None) -> torch.Tensor | None:
        """The gradient of the tensor ``name`` stands for, from the first call's (``first``): summed
        with every later call's where each of them has one (a tied block recomputed at each call)."""
        later = [t.grad for t in self.later.get(name, [])]
        total = first
        for grad in later:
            if total is None or grad is None:
                return first
            total = total + grad
        return total


@contextlib.contextmanager
def forward_view(block: torch.nn.Module, names: list[str],
                 retain_grad: bool = False) -> Iterator[Seen]:
    """During the body, record under each spec name in ``names`` (``0.weight``) the tensor its module
    holds when its forward starts: after every forward pre-hook of that module (pruning's, weight
    norm's), through parametrizations (cached for the body, so the forward uses that very tensor).
    ``retain_grad``: a recorded tensor that autograd computes (not a leaf) keeps its ``.grad``.
    Names whose module is not called through ``__call__`` (or cannot take a hook) are not recorded.
    A module that runs several times (a tied block) and recomputes its tensor at each call (a pruned
    weight) records the first call's under the name, the later ones in ``seen.later[name]``: the
    gradient of the tensor the spec names is the sum over every call's."""
    from torch.nn.utils import parametrize

    seen = Seen()
    handles = []
    by_module: dict[int, tuple[torch.nn.Module, list[tuple[str, str]]]] = {}
    for name in names:
        path, _, leaf = name.rpartition(".")
        try:
            module = reduce(getattr, path.split("."), block) if path else block
        except AttributeError:
            continue
        if isinstance(module, torch.nn.Module) and not is_scripted(module):
            by_module.setdefault(id(module), (module, []))[1].append((name, leaf))

    for module, entries in by_module.values():
        def record(mod: torch.nn.Module, args: object, entries: list[tuple[str, str]] = entries) -> None:
            for name, leaf in entries:
                value = getattr(mod, leaf, None)
                if isinstance(value, torch.Tensor):
                    if retain_grad and value.requires_grad and not value.is_leaf:
                        value.retain_grad()
                    first = seen.setdefault(name, value)  # the first call's (a tied module runs twice)
                    if value is not first and all(value is not t for t in seen.later.setdefault(name, [])):
                        seen.later[name].append(value)  # recomputed at this call (a pre-hook's new tensor)

        try:
            handles.append(module.register_forward_pre_hook(record))
        except Exception:  # noqa: BLE001 - a module that takes no hooks: its tensors are read directly
            continue
    try:
        with parametrize.cached():
            yield seen
    finally:
        for handle in handles:
            handle.remove()


def layout_hint(block: torch.nn.Module, spec_keys: list[str], names: list[str], unwrap: bool = False) -> str:
    """What a layout failure should add about ``block``'s ``names`` (its parameter or state_dict
    names) against the spec's ``spec_keys``: the wrapper that moved them, and the names that are
    none of the spec's (an adapter's tensors). "" when there is nothing to add."""
    lines = []
    try:
        text = describe(block)
        mapped = spec_names(block, names)
    except Exception:  # noqa: BLE001 - a block that cannot list its modules: the failure says enough
        return ""
    if text:
        behind = sorted({m for m in mapped.values() if m is not None} & set(spec_keys))
        lines.append(f"{text}" + (f"; behind it the spec's {behind}" if behind else "")
                     + ("" if unwrap else "; --unwrap (unwrap=True) judges the layout of the module inside"))
    extra = [name for name, m in mapped.items() if m is not None and m not in spec_keys]
    if extra:
        lines.append(f"tensors the spec does not name: {extra} (an adapter's or another layer's: the block's "
                     "parameters are not the spec's)")
    return "".join(f"\n({line})" for line in lines)


def inner_layout(block: torch.nn.Module, names: list[str]) -> list[tuple[str, object]]:
    """The layout of the module inside the wrappers, from the block's tensor ``names``: each spec
    name a wrapped name stands for (``spec_name``), once, in order, with the tensor the block's
    forward reads under it (``getattr`` along the path: a parametrized value, a pruned weight);
    what a wrapper adds of its own (masks, power-iteration vectors) left out."""
    out: list[tuple[str, object]] = []
    inner = unwrap(block)
    for name, mapped in spec_names(block, names).items():
        if mapped is None or any(mapped == seen for seen, _ in out):
            continue
        try:
            value = reduce(getattr, mapped.split("."), inner)
        except AttributeError:
            value = None
        out.append((mapped, value if isinstance(value, torch.Tensor) else name))
    return out


def spec_listing(block: torch.nn.Module, names: list[str], expected: list[str]) -> list[str]:
    """The spec names the block's tensor ``names`` stand for (``inner_layout``), each once, in the
    spec's order ``expected``: torch re-registers a wrapped tensor last in its module."""
    order = {name: i for i, name in enumerate(expected)}
    return sorted((n for n, _ in inner_layout(block, names)), key=lambda n: order.get(n, len(order)))


#: Wrappers that compute a tensor the forward uses from other tensors (not the tensor itself).
COMPUTING = ("parametrized", "weight-normed", "spectral-normed", "pruned")


def computed(block: torch.nn.Module) -> str:
    """The wrappers of ``block`` that compute its tensors from others, in words ("" when none): writes
    to such a tensor, or an optimizer step on the stored ones, do not act on it directly."""
    return "; ".join(w.text for w in wrappers(block) if w.kind in COMPUTING)

"""Declaring a block: its constructor signature, how to draw its arguments and inputs, its tensors
(state-dict layout and default-init laws), its capabilities, anchor cases, and its NumPy reference.

A declaration is data; ``declare`` turns it into the ``BlockSpec`` every property reads, the same
record the chapter's blocks are (``drawing/blocks.py``). See ``docs/adding_a_block.md``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any, Callable, Union

from hypothesis import strategies as st

from conformance.drawing.anchors import Anchor
from conformance.drawing.blocks import BlockSpec, keyword_code
from conformance.drawing.strategies import WIDTHS

#: A value that may depend on the constructor arguments: the value itself, or a function of them.
Given = Union[Any, Callable[[dict], Any]]


def _resolve(value: Given, args: dict) -> Any:
    return value(args) if callable(value) and not isinstance(value, type) else value


@dataclass(frozen=True)
class Tensor:
    """A parameter or buffer of the block, by its state-dict name (the dict key in the declaration).

    ``shape``: its dims, each an int or the name of a constructor argument (``("out", "in")``), or a
    function of the arguments. ``init``: its default-init law (``Normal``, ``Uniform``, ``Constant``,
    ``Values`` (every entry fixed: a mask, frequencies), or a function of the arguments returning one;
    None: not checked). ``when``: the name of a boolean
    argument (or a function of the arguments) that decides whether the block has it at all.
    ``exact_rows``: rows the default init must set to a constant, as ``{row: value}`` (a function of
    the arguments): an Embedding's ``padding_idx`` row is 0."""

    shape: Given
    init: Given = None
    when: Given = None
    exact_rows: Given = None

    def present(self, args: dict) -> bool:
        if self.when is None:
            return True
        return bool(args[self.when]) if isinstance(self.when, str) else bool(self.when(args))

    def law(self, args: dict) -> Any:
        """The default-init law at these arguments (None: not judged)."""
        return _resolve(self.init, args)

    def fixed_rows(self, args: dict) -> dict:
        """The rows the default init sets exactly, ``{row: value}`` (a ``None`` row: none)."""
        return {r: v for r, v in (_resolve(self.exact_rows, args) or {}).items() if r is not None}

    def shape_for(self, args: dict) -> tuple[int, ...]:
        dims = _resolve(self.shape, args)
        return tuple(int(args[d]) if isinstance(d, str) else int(d) for d in dims)


Param = Tensor
Buffer = Tensor


@dataclass(frozen=True)
class Signature:
    """A constructor signature read from its text: ``"LayerNorm(normalized_shape, eps=1e-5)"``."""

    name: str
    sizes: tuple[str, ...]              # arguments without a default: sizes, passed in order or by name
    options: dict[str, Any]             # arguments with a default: passed by name

    @classmethod
    def parse(cls, text: str) -> "Signature":
        try:
            call = ast.parse(f"def {text.strip()}: pass").body[0]
        except SyntaxError as exc:
            raise ValueError(f"signature {text!r}: write it as a call, e.g. 'Block(size, option=1.0)'") from exc
        assert isinstance(call, ast.FunctionDef)
        a = call.args
        positional = [p.arg for p in a.args]
        defaults = [ast.literal_eval(d) for d in a.defaults]
        n_sizes = len(positional) - len(defaults)
        options = dict(zip(positional[n_sizes:], defaults, strict=True))
        options.update({p.arg: ast.literal_eval(d) for p, d in zip(a.kwonlyargs, a.kw_defaults, strict=True)
                        if d is not None})
        return cls(call.name, tuple(positional[:n_sizes]), options)


def default_strategy(name: str, default: Any = None, size: bool = False) -> st.SearchStrategy:
    """How an argument is drawn when the declaration does not say: a size from the suite's widths,
    a boolean option both ways, any other option at its default."""
    if size:
        return WIDTHS
    if isinstance(default, bool):
        return st.booleans()
    return st.just(default)


def declare(
    signature: str,
    *,
    forward: Callable[..., Any] | None = None,
    params: dict[str, Tensor] | None = None,
    buffers: dict[str, Tensor] | None = None,
    args: "dict[str, st.SearchStrategy] | st.SearchStrategy[dict] | None" = None,
    input_width: Given = None,
    indices: Given = None,
    backward: Callable[..., dict] | None = None,
    reference: Callable[[dict], Any] | None = None,
    key: str | None = None,
    rowwise: bool = True,
    checks_width: bool | None = None,
    batch_ndim: int | None = None,
    anchors: tuple[Anchor, ...] = (),
    derivative: Given = True,
    tolerance: float | None = None,
    base: tuple[dict, tuple[int, ...]] | None = None,
    follows: str = "",
    source: str = "",
    sizes: tuple[str, ...] | None = None,
    lazy: str | None = None,
    code: Callable[[dict, Any], str] | None = None,
    **capabilities: Any,
) -> BlockSpec:
    """A block of the contract, declared by a user (or the suite).

    - ``signature``: the constructor as the contract calls it; arguments without a default are sizes.
    - ``forward(x, **tensors, **args)``: the NumPy reference (float64; use NumPy functions and array
      methods: ``reference.traced`` bounds each); or ``reference(args)``: a full ``reference.Module``.
    - ``backward(gy, x, **tensors, **args)``: optional analytic gradients, ``{"x": ..., name: ...}``.
    - ``params`` / ``buffers``: the state-dict layout, in order, with init laws.
    - ``args``: Hypothesis strategies per argument (the rest: ``default_strategy``), or one strategy
      of the whole dict (when an argument depends on another).
    - ``input_width``: the input's last dim (an argument's name, a function, or None: any shape);
      ``indices``: the input holds integers in [0, indices) (an argument's name or a function).
    - ``rowwise``: a row's output depends on that row only; ``checks_width``: an input whose last dim is
      not ``input_width`` must raise (default: when there is an input width); ``batch_ndim``: leading
      dims required.
    - ``anchors``/``base``: named edge cases, on the base arguments and leading dims.
    - ``derivative``: whether the spec's gradient is the derivative of its forward (a function of the
      arguments; an Embedding's padding row is read but never trained: not there). Where it is not,
      the finite-difference oracle (``gradcheck``) does not apply.
    - ``tolerance``: a relative tolerance for a reference that uses an operation ``reference.traced``
      has no rule for (its bound is then ``tolerance * (|value| + max |value|)``, its gradients, without
      an analytic backward, central differences in extended precision; the report says so).
    - ``sizes``: the size arguments when some have defaults (a target that takes none is then checked
      at those defaults); ``lazy``: the size a lazy block infers on its first forward. A ``bias``
      option is passed only where the target's constructor takes one (else ``bias=False`` is not
      provided).
    - ``code(args, target)``: the constructor expression, for blocks the suite builds from others.
    - ``**capabilities``: any other ``BlockSpec`` field (``container``, ``tied``, ``halves``,
      ``own_checks``, ...), as the chapter's blocks declare them (``database/chapter.py``).
    """
    sig = Signature.parse(signature)
    if sizes is not None:  # sizes with defaults: the spec's default sizes
        defaults = {n: sig.options.pop(n) for n in sizes if n in sig.options}
        sig = Signature(sig.name, tuple(sizes), sig.options)
    else:
        defaults = {}
    params, buffers = dict(params or {}), dict(buffers or {})
    if (forward is None) == (reference is None):
        raise ValueError(f"{sig.name}: give the reference as forward= (a NumPy function) or reference= "
                         "(a reference.Module factory), one of them")
    strategies = {n: default_strategy(n, size=True) for n in sig.sizes}
    strategies.update({n: default_strategy(n, d) for n, d in sig.options.items()})
    if isinstance(args, st.SearchStrategy):  # every argument drawn together (one may depend on another)
        drawn = args
    else:
        unknown = set(args or {}) - set(strategies)
        if unknown:
            raise ValueError(f"{sig.name}: args= names {sorted(unknown)}, which {signature!r} does not take")
        strategies.update(args or {})
        drawn = st.fixed_dictionaries(strategies)
    if not isinstance(args, st.SearchStrategy):  # (drawn together, the arguments' names are the strategy's)
        _check_names(sig, signature, set(strategies), params, buffers, input_width, indices)
    width = _getter(input_width)
    has_width = input_width is not None
    index_range = None if indices is None else _getter(indices)
    if reference is None:
        assert forward is not None  # one of the two, checked above
        reference = _declared_reference(forward, params, buffers, backward, tolerance)
    constructor = None  # how the target's constructor is called, registered with the block (store.register)
    if code is None:
        constructor = (sig.sizes, lazy, (defaults or None) if sizes is not None or sig.sizes else {},
                       "bias" in sig.options, tuple(o for o in sig.options if o != "bias"))
    simplest = {**{n: defaults.get(n, 3) for n in sig.sizes}, **sig.options}  # the base anchor's arguments
    tensors = {**params, **buffers}
    fields: dict[str, Any] = dict(
        key=key or sig.name.lower(), name=sig.name,
        args=drawn,
        code=code or keyword_code(sig.name),
        reference=reference,
        input_width=width,
        rowwise=rowwise and has_width,
        checks_width=has_width if checks_width is None else checks_width,
        batch_ndim=batch_ndim,
        any_shape=not has_width,
        stateful=bool(tensors) and all(t.when is None for t in tensors.values()),
        has_state=bool(tensors),
        twice_differentiable=forward is not None,
        half=tolerance is None,  # a declared tolerance is one number, not a bound that scales with the format
        has_buffers=bool(buffers),
        # (read from the laws only where not declared: a law's distribution imports scipy, which
        # listing the chapter's checks, in the xdist controller, must not)
        reproducible=capabilities.get("reproducible") if "reproducible" in capabilities else any(
            _random_law(t, simplest) for t in tensors.values()),
        random_init=lambda a: not tensors or any(t.present(a) and _random_law(t, a) and _free_entries(t, a)
                                                 for t in tensors.values()),
        derivative=lambda a: bool(_resolve(derivative, a)),
        base=base or (simplest, (2, 3) if not has_width else (2,)),
        anchors=tuple(anchors) if anchors and anchors[0].name == "base" else (Anchor("base"),) + tuple(anchors),
        follows_torch=follows,
        indices=index_range,
        init={name: t for name, t in tensors.items() if t.init is not None or t.exact_rows},
        source=source,
        signature=constructor,
    )
    unknown = set(capabilities) - set(BlockSpec.__dataclass_fields__)
    if unknown:
        raise ValueError(f"{sig.name}: no capability {sorted(unknown)} (see BlockSpec)")
    return BlockSpec(**{**fields, **capabilities})


def _check_names(sig: Signature, signature: str, known: set[str], params: dict[str, Tensor],
                 buffers: dict[str, Tensor], input_width: Given, indices: Given) -> None:
    """Every argument a declaration names as a string (a tensor's dims and ``when``, ``input_width``,
    ``indices``) is one the signature takes: a typo is the declaration's error, at declare time."""
    named: list[tuple[str, str]] = [("input_width", input_width), ("indices", indices)]  # type: ignore[list-item]
    for kind, tensors in (("params", params), ("buffers", buffers)):
        for name, t in tensors.items():
            dims = t.shape if isinstance(t.shape, (tuple, list)) else ()
            named += [(f"{kind}[{name!r}] shape", d) for d in dims]
            named.append((f"{kind}[{name!r}] when", t.when))  # type: ignore[arg-type]
    wrong = [(where, value) for where, value in named if isinstance(value, str) and value not in known]
    if wrong:
        raise ValueError(f"{sig.name}: " + "; ".join(f"{where} names {value!r}" for where, value in wrong)
                         + f", which {signature!r} does not take (its arguments: {sorted(known)})")


def _random_law(tensor: Tensor, args: dict) -> bool:
    """The tensor's default init draws random values (a construction consumes torch's generator)."""
    from reference.distributions import PointMass, Values

    law = tensor.law(args)
    return law is not None and not isinstance(law, (PointMass, Values))


def _free_entries(tensor: Tensor, args: dict) -> bool:
    """Some entry of the tensor is left to its law (not all of its rows fixed by ``exact_rows``)."""
    shape = tensor.shape_for(args)
    fixed = set(tensor.fixed_rows(args))
    return bool(shape) and 0 not in shape and len(fixed) < shape[0]


def _getter(value: Given) -> Callable[[dict], Any]:
    if value is None:
        return lambda a: None
    if isinstance(value, str):
        return lambda a: a[value]
    if callable(value):
        return value
    return lambda a: value


def _declared_reference(forward: Callable, params: dict[str, Tensor], buffers: dict[str, Tensor],
                        backward: Callable | None, tolerance: float | None) -> Callable[[dict], Any]:
    from reference.declared import Declared

    def build(args: dict) -> Declared:
        return Declared(forward,
                        {n: t.shape_for(args) for n, t in params.items() if t.present(args)},
                        {n: t.shape_for(args) for n, t in buffers.items() if t.present(args)},
                        args, backward, tolerance)

    return build

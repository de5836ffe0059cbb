"""What a block of the contract is (``BlockSpec``: how to draw its constructor arguments, build it
with a target, build its reference, which inputs it takes and which properties apply), and the
strategies and builders the chapter's declarations use (``conformance/database/chapter.py``). A
block differs from another only by its declaration (``conformance.database.declare``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from hypothesis import strategies as st

import reference as R
from conformance.drawing.anchors import Anchor
from conformance.drawing.strategies import (
    ANY_SHAPE,
    BATCH,
    BATCH_DIMS,
    LARGE_WIDTHS,
    NONEMPTY_ANY_SHAPE,
    NONEMPTY_BATCH,
    NONEMPTY_BATCH_DIMS,
    OUT_WIDTHS,
    REPEATS,
    WIDTH_VALUES,
    WIDTHS,
    out_width,
)
from conformance.loading.construction import CONTAINER, LAZY_SIZES, SIZES, call_code, construction, restrict_args
from conformance.loading.target import Target


@dataclass(frozen=True)
class OwnCheck:
    """A property only this block has, run by ``conformance.checks.<module>.<func>`` with ``spec=``."""

    property: str
    variant: str | None
    module: str
    func: str
    anchored: bool = False


@dataclass(frozen=True)
class BadArgs:
    """Constructor arguments the spec forbids, the exceptions a block must raise for them, and why."""

    args: dict
    why: str
    raises: tuple[type[BaseException], ...] = (ValueError, RuntimeError)


@dataclass(frozen=True)
class BlockSpec:
    """One block of the contract: its declaration. The flags are its capabilities, which decide the
    properties that apply (``core.registry.PROPERTIES``)."""

    key: str                                            # lower-case id prefix: "linear"
    name: str                                           # the contract name: "Linear"
    args: st.SearchStrategy[dict]                       # drawn constructor arguments
    code: Callable[[dict, Target], str]                 # the constructor call, over ``target``/``nn``
    reference: Callable[[dict], R.Module]               # the spec, same structure and names
    input_width: Callable[[dict], int | None]           # last input dim (None: any shape)
    container: bool = False                             # has Sequential's indexing / add_module API
    rowwise: bool = True                                # a row's output depends on that row only
    checks_width: bool = True                           # must reject an input of the wrong width
    batch_ndim: int | None = None                       # leading dims the input must have (None: any)
    requires: tuple[str, ...] = ()                      # contract names needed besides ``name``
    leaves: bool = False                                # built from Linear/ReLU (the target's, else torch's)

    any_shape: bool = False                             # takes an input of any shape (no feature dim)
    halves: bool = False                                # has FixedHiddenMLP's halving loop at top level
    tied: bool = False                                  # one block placed at several positions
    stateful: bool = True                               # holds parameters or buffers (an example without is trivial)
    has_buffers: bool = False                           # holds buffers (constants in the state dict, no gradient)
    indexable: bool = False                             # its sub-blocks are reachable by index and by name
    prebuilt: bool = False                              # built by the suite's builders: arguments never restricted
    elementwise: bool = False                           # each output (and gradient) entry is the input's at its index
    reproducible: bool = False                          # its construction under a seed must be reproducible
    own_checks: tuple[OwnCheck, ...] = ()               # properties only this block has
    base: tuple[dict, tuple[int, ...]] = field(default=({}, (2,)), hash=False)  # anchors' base args, leading dims
    anchors: tuple[Anchor, ...] = field(default=(), hash=False)  # named edges of the contract, run in every profile
    follows_torch: str = ""                             # where the contract follows torch.nn (a failure's hint)
    indices: Callable[[dict], int] | None = None        # integer inputs in [0, indices(args)) (an Embedding)
    init: dict[str, Any] = field(default_factory=dict, hash=False)  # parameter -> its default-init law
    derivative: Callable[[dict], bool] = lambda args: True  # the spec's gradient is its forward's derivative
    random_init: Callable[[dict], bool] = lambda args: True  # a construction draws from torch's generator
    source: str = ""                                    # the file that declared it ("" for the built-in blocks)
    signature: tuple | None = field(default=None, hash=False)  # (sizes, lazy, defaults, bias, options) to register
    bad_args: tuple[BadArgs, ...] = field(default=(), hash=False)  # constructor calls the spec forbids
    twice_differentiable: bool = False                  # its gradient is differentiable (second derivatives)
    has_state: bool = False                             # declares parameters or buffers (some arguments may drop them)
    half: bool = True                                   # its bounds hold in float16/bfloat16 (float32 arithmetic)

    @property
    def input_width_known(self) -> bool:
        return self.checks_width

    @property
    def float_input(self) -> bool:
        """The input is a float tensor of the block's dtype, differentiated (not indices)."""
        return self.indices is None

    @property
    def needs(self) -> tuple[str, ...]:
        return (self.name,) + self.requires

    def restrict(self, args: dict, target: Target) -> dict:
        """Drawn arguments as ``target`` can take them (fixed sizes, no ``bias`` argument, leaves)."""
        if self.container:
            return {**args, "layers": tuple(restrict_layer(layer, target) for layer in args["layers"])}
        if self.prebuilt:
            return args
        return restrict_args(target, self.name, args)

    def args_for(self, target: Target) -> st.SearchStrategy[dict]:
        """The constructor arguments drawn for ``target`` (one strategy per target and block)."""
        key = ("args", self.key)
        if key not in target.cache:
            target.cache[key] = self.args.map(lambda a: self.restrict(a, target))
        return target.cache[key]

    def leading(self, nonempty: bool = False) -> st.SearchStrategy[tuple[int, ...]]:
        """The input's leading dims (its whole shape when the block takes any shape); ``nonempty``:
        at least one element."""
        if self.any_shape:
            return NONEMPTY_ANY_SHAPE if nonempty else ANY_SHAPE
        if self.batch_ndim == 1:
            return NONEMPTY_BATCH if nonempty else BATCH
        return NONEMPTY_BATCH_DIMS if nonempty else BATCH_DIMS

    def wrong_width(self, args: dict) -> int | None:
        """A last-dim size the block must reject, or None when it accepts any shape."""
        width = self.input_width(args)
        return None if width is None else width + 1


def own_leaf(target: Target, name: str) -> bool:
    """Containers are filled with the target's own ``Linear``/``ReLU`` when it defines them as
    factories of any size; with torch.nn's otherwise (a container-only module, a fixed-size leaf)."""
    return target.provides(name) and construction(target, name).kind in (SIZES, LAZY_SIZES, CONTAINER)


def leaf_call(target: Target, name: str, *sizes: int, bias: bool = True) -> str:
    """The expression that builds a leaf, ``Linear(n_in, n_out, bias)`` or ``ReLU()``, with the
    target's own (checks that build leaves run on ``builders.torch_leaves(target)``, which supplies
    torch.nn's where the target has none usable)."""
    args = {"in_features": sizes[0], "out_features": sizes[1], "bias": bias} if name == "Linear" else {}
    return call_code(target, name, args)


def restrict_layer(layer: tuple, target: Target) -> tuple:
    """A layer of a plan as the leaves can build it: bias kept only where the Linear can drop it."""
    if layer[0] == "Linear" and not layer[3] and own_leaf(target, "Linear") and not construction(target, "Linear").bias:
        return layer[:3] + (True,)
    return layer


# -- containers ------------------------------------------------------------------------------------
#: One layer of a plan: ReLU, or Linear to an output width (None: the same as its input's) with or
#: without bias. One choice per layer.
LAYER_CHOICES = st.sampled_from([("ReLU",)] * 4 + [("Linear", w, b) for w in (None, 1, 3, 8, 20, 64)
                                                   for b in (True, False)])


def layer_plan(width: int, choices: list[tuple[Any, ...]]) -> dict:
    """A chain of Linear/ReLU layers with consistent widths, from the first width and the choices."""
    layers: list[tuple[Any, ...]] = []
    current = width
    for choice in choices:
        if choice[0] == "Linear":
            n_out = out_width(choice[1], current)
            layers.append(("Linear", current, n_out, choice[2]))
            current = n_out
        else:
            layers.append(("ReLU",))
    return {"width": width, "layers": tuple(layers)}


#: Plans of depth 0 to 4, now and then repeated into a chain of tens of blocks (``REPEATS``).
LAYER_PLANS = st.tuples(WIDTHS, st.lists(LAYER_CHOICES, max_size=4), REPEATS).map(
    lambda t: layer_plan(t[0], t[1] * t[2]))


def layer_codes(args: dict, target: Target) -> list[str]:
    """The constructor call of each layer of a plan."""
    return [leaf_call(target, "Linear", l[1], l[2], bias=l[3]) if l[0] == "Linear" else leaf_call(target, "ReLU")
            for l in args["layers"]]


def plan_output_width(args: dict) -> int:
    width = args["width"]
    for layer in args["layers"]:
        width = layer[2] if layer[0] == "Linear" else width
    return width


def plan_code(container: str) -> Callable[[dict, Target], str]:
    return lambda args, target: f"target.{container}({', '.join(layer_codes(args, target))})"


def plan_reference(args: dict) -> R.Sequential:
    return R.Sequential(*[R.Linear(*layer[1:]) if layer[0] == "Linear" else R.ReLU() for layer in args["layers"]])


def plan_has_linear(args: dict) -> bool:
    return any(layer[0] == "Linear" for layer in args["layers"])


# -- the tutorial's blocks -------------------------------------------------------------------------
#: The tutorial's width (20) a quarter of the time, else any width (a wide one about 5% of the time).
TUTORIAL_OR_WIDTH = st.sampled_from(((20,) * 6 + WIDTH_VALUES) * 5 + LARGE_WIDTHS)


def keyword_code(name: str) -> Callable[[dict, Target], str]:
    return lambda args, target: call_code(target, name, args)


TUTORIAL_MLP = {"in_features": 20, "hidden_features": 256, "out_features": 10}  # the tutorial's sizes


def mlp_args(tutorial: bool, n_in: int, hidden: int, out: int | None) -> dict:
    return dict(TUTORIAL_MLP) if tutorial else {"in_features": n_in, "hidden_features": hidden,
                                                "out_features": out_width(out, n_in)}


TUTORIAL_TIED = {"w_in": 4, "width": 8, "w_out": 1, "middle": "SRSR"}  # the tutorial's net


def middles(max_length: int = 5) -> list[str]:
    """The letters between the first and last Linear (S: the shared block, R: ReLU, L: another
    Linear), at least two uses of the shared block, shortest first."""
    out = [""]
    for _ in range(max_length):
        out += [m + letter for m in out if len(m) == len(out[-1]) for letter in "SRL"]
    return sorted({m for m in out if m.count("S") >= 2}, key=lambda m: (len(m), m))


MIDDLES = st.sampled_from(middles())


def tied_args(tutorial: bool, width: int, w_in: int | None, w_out: int, middle: str) -> dict:
    if tutorial:
        return dict(TUTORIAL_TIED)
    return {"w_in": out_width(w_in, width), "width": width, "w_out": w_out, "middle": middle}


TIED_ARGS = st.tuples(st.booleans(), WIDTHS, OUT_WIDTHS, st.integers(1, 4), MIDDLES).map(lambda t: tied_args(*t))

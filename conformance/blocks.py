"""The blocks of the contract: how to draw constructor arguments, build them with a target, build
their reference, and which inputs they take. A block differs from another only by this table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from hypothesis import strategies as st

import reference as R

from .strategies import ANY_SHAPE, BATCH_DIMS, BATCH_SIZES, WIDTHS, draw_out_width
from .target import Target


@dataclass(frozen=True)
class BlockSpec:
    """One block of the contract."""

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

    halves: bool = False                                # has FixedHiddenMLP's halving loop at top level
    tied: bool = False                                  # one block placed at several positions

    @property
    def input_width_known(self) -> bool:
        return self.checks_width

    @property
    def has_buffers(self) -> bool:
        return self.key in ("fixedhiddenmlp", "chimera")

    @property
    def needs(self) -> tuple[str, ...]:
        return (self.name,) + self.requires

    def draw_input_shape(self, data: st.DataObject, args: dict) -> tuple[int, ...]:
        width = self.input_width(args)
        if width is None:
            return data.draw(ANY_SHAPE, label="input shape")
        if self.batch_ndim == 1:
            return (data.draw(BATCH_SIZES, label="batch size"), width)
        return data.draw(BATCH_DIMS, label="input leading dims") + (width,)

    def wrong_width(self, args: dict) -> int | None:
        """A last-dim size the block must reject, or None when it accepts any shape."""
        width = self.input_width(args)
        return None if width is None else width + 1


def leaf_code(target: Target, name: str) -> str:
    """Containers are filled with the target's own leaves when it has them, torch.nn's otherwise."""
    return f"target.{name}" if target.provides(name) else f"nn.{name}"


# -- Linear ----------------------------------------------------------------------------------------
@st.composite
def linear_args(draw) -> dict:
    n_in = draw(WIDTHS)
    return {"in_features": n_in, "out_features": draw_out_width(draw, n_in), "bias": draw(st.booleans())}


LINEAR = BlockSpec(
    key="linear", name="Linear", args=linear_args(),
    code=lambda a, t: f"target.Linear({a['in_features']}, {a['out_features']}, bias={a['bias']})",
    reference=lambda a: R.Linear(a["in_features"], a["out_features"], a["bias"]),
    input_width=lambda a: a["in_features"],
)

RELU = BlockSpec(
    key="relu", name="ReLU", args=st.just({}),
    code=lambda a, t: "target.ReLU()", reference=lambda a: R.ReLU(), input_width=lambda a: None,
    checks_width=False,
)


# -- containers ------------------------------------------------------------------------------------
@st.composite
def layer_plans(draw, max_depth: int = 4) -> dict:
    """A chain of Linear/ReLU layers with consistent widths, depth 0 included."""
    width = first = draw(WIDTHS)
    layers: list[tuple[Any, ...]] = []
    for _ in range(draw(st.integers(0, max_depth))):
        if draw(st.booleans()):
            n_out = draw_out_width(draw, width)
            layers.append(("Linear", width, n_out, draw(st.booleans())))
            width = n_out
        else:
            layers.append(("ReLU",))
    return {"width": first, "layers": tuple(layers)}


LAYER_PLANS = layer_plans()


def layer_codes(args: dict, target: Target) -> list[str]:
    """The constructor call of each layer of a plan."""
    return [f"{leaf_code(target, 'Linear')}({l[1]}, {l[2]}, bias={l[3]})" if l[0] == "Linear"
            else f"{leaf_code(target, 'ReLU')}()" for l in args["layers"]]


def plan_output_width(args: dict) -> int:
    width = args["width"]
    for layer in args["layers"]:
        width = layer[2] if layer[0] == "Linear" else width
    return width


def plan_code(container: str) -> Callable[[dict, Target], str]:
    return lambda args, target: f"target.{container}({', '.join(layer_codes(args, target))})"


def plan_reference(args: dict) -> R.Sequential:
    return R.Sequential(*[R.Linear(*layer[1:]) if layer[0] == "Linear" else R.ReLU() for layer in args["layers"]])


def container(key: str, name: str) -> BlockSpec:
    return BlockSpec(key=key, name=name, args=LAYER_PLANS, code=plan_code(name), reference=plan_reference,
                     input_width=lambda a: a["width"], container=True)


def plan_has_linear(args: dict) -> bool:
    return any(layer[0] == "Linear" for layer in args["layers"])


SEQUENTIAL = container("sequential", "Sequential")
MYSEQUENTIAL = container("mysequential", "MySequential")

# -- the tutorial's blocks -------------------------------------------------------------------------
def keyword_code(name: str) -> Callable[[dict, Target], str]:
    return lambda args, target: f"target.{name}({', '.join(f'{k}={v!r}' for k, v in args.items())})"


@st.composite
def mlp_args(draw) -> dict:
    if draw(st.booleans()):
        return {"in_features": 20, "hidden_features": 256, "out_features": 10}  # the tutorial's sizes
    n_in = draw(WIDTHS)
    return {"in_features": n_in, "hidden_features": draw(WIDTHS), "out_features": draw_out_width(draw, n_in)}


MLP = BlockSpec(
    key="mlp", name="MLP", args=mlp_args(), code=keyword_code("MLP"),
    reference=lambda a: R.MLP(**a), input_width=lambda a: a["in_features"],
)

NESTMLP = BlockSpec(
    key="nestmlp", name="NestMLP", args=st.builds(dict, in_features=st.just(20) | WIDTHS),
    code=keyword_code("NestMLP"), reference=lambda a: R.NestMLP(**a), input_width=lambda a: a["in_features"],
)

FIXEDHIDDENMLP = BlockSpec(
    key="fixedhiddenmlp", name="FixedHiddenMLP", args=st.builds(dict, features=st.just(20) | WIDTHS),
    code=keyword_code("FixedHiddenMLP"), reference=lambda a: R.FixedHiddenMLP(**a),
    input_width=lambda a: a["features"], rowwise=False, batch_ndim=1, halves=True,
)

CHIMERA = BlockSpec(
    key="chimera", name="Chimera", args=st.just({}), code=lambda a, t: "target.Chimera()",
    reference=lambda a: R.Chimera(), input_width=lambda a: 20, rowwise=False, batch_ndim=1,
)

CENTEREDLAYER = BlockSpec(
    key="centeredlayer", name="CenteredLayer", args=st.just({}), code=lambda a, t: "target.CenteredLayer()",
    reference=lambda a: R.CenteredLayer(), input_width=lambda a: None, rowwise=False, checks_width=False,
)


@st.composite
def mylinear_args(draw) -> dict:
    n_in = draw(WIDTHS)
    return {"in_units": n_in, "units": draw_out_width(draw, n_in)}


MYLINEAR = BlockSpec(
    key="mylinear", name="MyLinear", args=mylinear_args(),
    code=lambda a, t: f"target.MyLinear({a['in_units']}, {a['units']})",
    reference=lambda a: R.MyLinear(**a), input_width=lambda a: a["in_units"],
)

RGNET = BlockSpec(
    key="rgnet", name="Sequential", args=st.builds(dict, n_blocks=st.just(4) | st.integers(0, 4)),
    code=lambda a, t: f"rgnet(target, n_blocks={a['n_blocks']})", reference=lambda a: R.rgnet(**a),
    input_width=lambda a: 4, requires=("Linear", "ReLU"),
)

@st.composite
def tied_args(draw) -> dict:
    """Widths, and the letters between the first and last Linear: at least two uses of the shared block."""
    width = draw(WIDTHS)
    letters = draw(st.lists(st.sampled_from("SRL"), min_size=2, max_size=6).filter(lambda m: m.count("S") >= 2))
    return {"w_in": draw(st.just(width) | WIDTHS), "width": width, "w_out": draw(st.integers(1, 4)),
            "middle": "".join(letters)}


TIED_ARGS = tied_args() | st.just({"w_in": 4, "width": 8, "w_out": 1, "middle": "SRSR"})  # the tutorial's


def tied(key: str, container: str) -> BlockSpec:
    return BlockSpec(
        key=key, name=container, args=TIED_ARGS,
        code=lambda a, t: (
            f"tied_net(target, {container!r}, {a['w_in']}, {a['width']}, {a['w_out']}, {a['middle']!r})"
        ),
        reference=lambda a: R.tied_net(**a), input_width=lambda a: a["w_in"], requires=("Linear", "ReLU"), tied=True,
    )


TIEDSEQUENTIAL = tied("tiedsequential", "Sequential")
TIEDMYSEQUENTIAL = tied("tiedmysequential", "MySequential")

#: Every block, in the order reports list them.
BLOCKS: tuple[BlockSpec, ...] = (LINEAR, RELU, SEQUENTIAL, MYSEQUENTIAL, MLP, NESTMLP, FIXEDHIDDENMLP, CHIMERA,
                                 CENTEREDLAYER, MYLINEAR, RGNET, TIEDSEQUENTIAL, TIEDMYSEQUENTIAL)

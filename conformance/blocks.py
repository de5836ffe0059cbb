"""The blocks of the contract: how to draw constructor arguments, build them with a target, build
their reference, and which inputs they take. A block differs from another only by this table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from hypothesis import strategies as st

import reference as R

from .strategies import ANY_SHAPE, BATCH_DIMS, WIDTHS, draw_out_width
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

    def draw_input_shape(self, data: st.DataObject, args: dict) -> tuple[int, ...]:
        width = self.input_width(args)
        if width is None:
            return data.draw(ANY_SHAPE, label="input shape")
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

#: Every block, in the order reports list them.
BLOCKS: tuple[BlockSpec, ...] = (LINEAR, RELU, SEQUENTIAL, MYSEQUENTIAL)

"""The chapter's blocks, the first entries of the block database, declared through the same public
``declare`` a user writes: their references are the hand-written ones of ``reference/`` (analytic
gradients, hand-derived rounding-error bounds and IEEE semantics), and what is special to one
block (a container's plans, the tied net, the halving loop, buffers) is a capability it switches on."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

import reference as R
from conformance.database.declare import Param, declare
from conformance.drawing.anchors import ANCHORS, BASE
from conformance.drawing.blocks import (
    LAYER_PLANS,
    TIED_ARGS,
    TUTORIAL_OR_WIDTH,
    BadArgs,
    BlockSpec,
    OwnCheck,
    mlp_args,
    plan_code,
    plan_reference,
)
from conformance.drawing.strategies import OUT_WIDTHS, WIDTHS, out_width


def _linear_law(args: dict) -> Any:
    """torch.nn.Linear's init (and its reset_parameters()): U(-1/sqrt(in), 1/sqrt(in)); 0 at in == 0.
    (``reference.distributions`` imports scipy: imported when a check asks, not when the checks are listed.)"""
    from reference.distributions import PointMass, Uniform

    if not args["in_features"]:
        return PointMass(0.0)
    bound = args["in_features"] ** -0.5
    return Uniform(-bound, bound)


def _unit_uniform(args: dict) -> Any:
    """FixedHiddenMLP's rand_weight: ``torch.rand``, U[0, 1)."""
    from reference.distributions import Uniform

    return Uniform(0.0, 1.0)


def _standard_normal(args: dict) -> Any:
    """The tutorial's MyLinear init: N(0, 1)."""
    from reference.distributions import Normal

    return Normal(0.0, 1.0)

LINEAR = declare(
    "Linear(in_features, out_features, bias=True)", lazy="in_features",
    args=st.tuples(WIDTHS, OUT_WIDTHS, st.booleans()).map(
        lambda t: {"in_features": t[0], "out_features": out_width(t[1], t[0]), "bias": t[2]}),
    reference=lambda a: R.Linear(a["in_features"], a["out_features"], a["bias"]), input_width="in_features",
    base=BASE["linear"], anchors=ANCHORS["linear"], reproducible=True, stateful=True, twice_differentiable=True,
    own_checks=(OwnCheck("init", "default", "init", "check_linear_init"),),
    params={"weight": Param(("out_features", "in_features"), init=_linear_law),
            "bias": Param(("out_features",), init=_linear_law, when="bias")},
    bad_args=(BadArgs({"in_features": -1, "out_features": 3, "bias": True}, "a negative in_features"),
              BadArgs({"in_features": 3, "out_features": -2, "bias": True}, "a negative out_features")),
    follows="the contract follows torch.nn.Linear: weight has shape (out_features, in_features)",
)

RELU = declare("ReLU()", args=st.just({}), reference=lambda a: R.ReLU(), base=BASE["relu"], anchors=ANCHORS["relu"],
               elementwise=True, twice_differentiable=True)


def _container(name: str) -> BlockSpec:
    return declare(f"{name}(*blocks)", args=LAYER_PLANS, code=plan_code(name), reference=plan_reference,
                   input_width="width", container=True, leaves=True, indexable=True, stateful=True,
                   base=BASE[name.lower()], anchors=ANCHORS[name.lower()])


SEQUENTIAL = _container("Sequential")
MYSEQUENTIAL = _container("MySequential")

MLP = declare(
    "MLP(in_features=20, hidden_features=256, out_features=10)",
    sizes=("in_features", "hidden_features", "out_features"), lazy="in_features",
    args=st.tuples(st.booleans(), WIDTHS, WIDTHS, OUT_WIDTHS).map(lambda t: mlp_args(*t)),
    reference=lambda a: R.MLP(**a), input_width="in_features", reproducible=True, stateful=True,
    base=BASE["mlp"], anchors=ANCHORS["mlp"], twice_differentiable=True,
    bad_args=(BadArgs({"in_features": 20, "hidden_features": -1, "out_features": 10}, "a negative hidden width"),),
    follows="the contract follows the tutorial: the hidden layer is named `hidden` and the last one `out`",
)

NESTMLP = declare(
    "NestMLP(in_features=20)", sizes=("in_features",), lazy="in_features",
    args=TUTORIAL_OR_WIDTH.map(lambda n: {"in_features": n}), reference=lambda a: R.NestMLP(**a),
    input_width="in_features", reproducible=True, stateful=True, base=BASE["nestmlp"], anchors=ANCHORS["nestmlp"],
    twice_differentiable=True, bad_args=(BadArgs({"in_features": -1}, "a negative in_features"),),
)

FIXEDHIDDENMLP = declare(
    "FixedHiddenMLP(features=20)", sizes=("features",), lazy="features",
    args=TUTORIAL_OR_WIDTH.map(lambda n: {"features": n}), reference=lambda a: R.FixedHiddenMLP(**a),
    input_width="features", rowwise=False, batch_ndim=1, halves=True, has_buffers=True, reproducible=True,
    stateful=True, base=BASE["fixedhiddenmlp"], anchors=ANCHORS["fixedhiddenmlp"],
    own_checks=(OwnCheck("init", "rand_weight", "init", "check_rand_weight"),),
    buffers={"rand_weight": Param(("features", "features"), init=_unit_uniform)},
    bad_args=(BadArgs({"features": -1}, "a negative width"),),
)

CHIMERA = declare(
    "Chimera()", args=st.just({}), reference=lambda a: R.Chimera(), input_width=20, rowwise=False, batch_ndim=1,
    has_buffers=True, reproducible=True, stateful=True, base=BASE["chimera"], anchors=ANCHORS["chimera"],
)

CENTEREDLAYER = declare(
    "CenteredLayer()", args=st.just({}), reference=lambda a: R.CenteredLayer(), rowwise=False,
    base=BASE["centeredlayer"], anchors=ANCHORS["centeredlayer"], twice_differentiable=True,
)

MYLINEAR = declare(
    "MyLinear(in_units, units)", lazy="in_units",
    args=st.tuples(WIDTHS, OUT_WIDTHS).map(lambda t: {"in_units": t[0], "units": out_width(t[1], t[0])}),
    reference=lambda a: R.MyLinear(**a), input_width="in_units", reproducible=True, stateful=True,
    base=BASE["mylinear"], anchors=ANCHORS["mylinear"], twice_differentiable=True,
    own_checks=(OwnCheck("init", "default", "init", "check_mylinear_init"),),
    params={"weight": Param(("in_units", "units"), init=_standard_normal),
            "bias": Param(("units",), init=_standard_normal)},
    bad_args=(BadArgs({"in_units": -1, "units": 3}, "a negative in_units"),
              BadArgs({"in_units": 3, "units": -2}, "a negative units")),
    follows="the contract follows the tutorial's MyLinear: weight has shape (in_units, units)",
)

RGNET = declare(
    "Sequential(n_blocks=4)", key="rgnet", args=st.sampled_from([4, 0, 1, 2, 3, 4]).map(lambda n: {"n_blocks": n}),
    code=lambda a, t: f"rgnet(target, n_blocks={a['n_blocks']})", reference=lambda a: R.rgnet(**a),
    input_width=4, leaves=True, prebuilt=True, indexable=True, stateful=True,
    base=BASE["rgnet"], anchors=ANCHORS["rgnet"],
)


def _tied(key: str, container: str) -> BlockSpec:
    return declare(
        f"{container}(w_in, width, w_out, middle)", key=key, args=TIED_ARGS,
        code=lambda a, t: f"tied_net(target, {container!r}, {a['w_in']}, {a['width']}, {a['w_out']}, {a['middle']!r})",
        reference=lambda a: R.tied_net(**a), input_width="w_in", leaves=True, tied=True, prebuilt=True,
        stateful=True, base=BASE[key], anchors=ANCHORS[key],
    )


TIEDSEQUENTIAL = _tied("tiedsequential", "Sequential")
TIEDMYSEQUENTIAL = _tied("tiedmysequential", "MySequential")

#: The chapter's blocks, in the order reports list them (``database.blocks()`` adds the declared ones).
BLOCKS: tuple[BlockSpec, ...] = (LINEAR, RELU, SEQUENTIAL, MYSEQUENTIAL, MLP, NESTMLP, FIXEDHIDDENMLP, CHIMERA,
                                 CENTEREDLAYER, MYLINEAR, RGNET, TIEDSEQUENTIAL, TIEDMYSEQUENTIAL)

"""The tutorial's init recipes through ``Module.apply``, judged by the weights the next forward uses."""

from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st

from conformance.checks.init.sampling import (
    Case,
    Design,
    Sampler,
    run_init_check,
)
from conformance.core.context import CheckContext
from conformance.core.registry import Check
from conformance.drawing.strategies import OUT_WIDTHS, WIDTHS, out_width
from reference import distributions as D

# -- the tutorial's recipes, through Module.apply -----------------------------------------------------
RECIPES = """from torch.nn.utils.parametrize import type_before_parametrizations as type_of

# type_of(m) is type(m), but for a module torch.nn.utils.parametrize wraps (weight norm, spectral
# norm): that gets a class of its own per instance, and type_of gives the class it was built as.
Linear = type_of(target.Linear(1, 1))


def init_normal(m):
    if type_of(m) == Linear:
        init.normal_(m.weight, mean=0, std=0.01)
        init.zeros_(m.bias)


def init_constant(m):
    if type_of(m) == Linear:
        init.constant_(m.weight, 1)
        init.zeros_(m.bias)


def xavier(m):
    if type_of(m) == Linear:
        init.xavier_uniform_(m.weight)


def init_42(m):
    if type_of(m) == Linear:
        init.constant_(m.weight, 42)


def my_init(m):
    if type_of(m) == Linear:
        init.uniform_(m.weight, -10, 10)
        m.weight.data *= m.weight.data.abs() >= 5
"""

NET = """net = (rgnet(target, n_blocks) if n_blocks is not None
       else target.Sequential(target.Linear(a, b), target.ReLU(), target.Linear(b, c)))
"""
#: The next forward after the recipe: the tensors it uses are what the recipe left (a pruned or
#: parametrized Linear recomputes its weight from other tensors, which an init of ``m.weight`` misses).
NEXT_FORWARD = """width = a if n_blocks is None else 4
net(torch.zeros(1, width))  # the next forward: the weights it uses are judged
"""
LINEARS = NEXT_FORWARD + """linears = [m for m in net.modules() if type_of(m) == Linear]
weights = np.concatenate([np.zeros(0)] + [m.weight.detach().to('cpu', torch.float64).numpy().ravel() for m in linears])
biases = [m.bias.detach().clone() for m in linears]
"""
RECIPE_VARS = ("a", "b", "c", "n_blocks")


def describe_net(c: Case) -> str:
    a, b, c_, n_blocks = c
    if n_blocks is not None:
        return f"rgnet(target, {n_blocks})"
    return f"target.Sequential(target.Linear({a}, {b}), target.ReLU(), target.Linear({b}, {c_}))"


def n_linears(case: Case) -> int:
    return 2 if case[3] is None else 2 * case[3] + 1


def recipe_step(statement: str, case: Case) -> str | None:
    """How a failure names a statement of a recipe's body (``Sampler.step``)."""
    if statement.startswith("net = "):
        return f"constructing {describe_net(case)}"
    if statement.startswith("net(torch.zeros"):
        return f"net(torch.zeros(1, {4 if case[3] is not None else case[0]})), the next forward after the recipe,"
    return None


def verify_linears(ns: dict, case: Case, recipe: str = "apply(fn)") -> str | None:
    found, held = len(ns["linears"]), n_linears(case)
    if found == held:
        return None
    net = ns["net"]
    if found == 0 and not list(net.children()):
        return (f"{recipe} reached no Linear: the container registers no children (net.children() is empty), "
                "so apply(fn), modules() and parameters() never see the blocks it was given")
    return (f"{recipe} reached {found} of the {held} Linears: net.modules() lists {found} modules of "
            f"type(target.Linear(1, 1)); the net holds {held}")


def verify_biases_unchanged(ns: dict, case: Case) -> str | None:
    after = [m.bias.detach() for m in ns["linears"]]
    if any(not torch.equal(x, y) for x, y in zip(ns["before"], after, strict=False)):
        return "changed a bias, which the recipe leaves alone"
    return None


def verify_init_normal(ns: dict, case: Case, recipe: str = "apply(init_normal)") -> str | None:
    problem = verify_linears(ns, case, recipe)
    if problem is None and any(bool((b != 0).any()) for b in ns["biases"]):
        return f"left a bias other than 0 after init.zeros_: {[b for b in ns['biases'] if (b != 0).any()][0]}"
    return problem


def verify_init_constant(ns: dict, case: Case) -> str | None:
    problem = verify_init_normal(ns, case, "apply(init_constant)")
    if problem is None and not bool(np.all(ns["weights"] == 1.0)):
        bad = ns["weights"][ns["weights"] != 1.0]
        return (f"{bad.size} of {ns['weights'].size} weights the next forward uses are not 1 after "
                f"init.constant_(m.weight, 1): {bad[:5]}")
    return problem


def verify_xavier_42(ns: dict, case: Case) -> str | None:
    net = ns["net"]
    if not torch.equal(net[0].bias.detach(), ns["bias0"]) or not torch.equal(net[2].bias.detach(), ns["bias2"]):
        return "changed a bias, which xavier and init_42 leave alone"
    w2 = net[2].weight.detach()
    if not bool((w2 == 42).all()):
        return f"net[2].weight, as the next forward uses it, is not all 42 after net[2].apply(init_42): {w2}"
    return None


def verify_my_init(ns: dict, case: Case) -> str | None:
    return verify_linears(ns, case, "apply(my_init)") or verify_biases_unchanged(ns, case)


INIT_NORMAL_SAMPLER = Sampler(
    what="init_normal", law="N(0, 0.01^2) (the tutorial's init_normal)", case_vars=RECIPE_VARS,
    prelude=RECIPES,
    body=NET + "net.apply(init_normal)\n" + LINEARS + "parts = {'weight': weights / 0.01}\n",
    dist=D.Normal(0.0, 1.0), dist_code="D.Normal(0.0, 1.0)",
    describe=lambda c: f"{describe_net(c)}.apply(init_normal)",
    show="print(linears, weights, biases)", verify=verify_init_normal,
    call="net.apply(", step=recipe_step, layout="linear.structure",
)

INIT_CONSTANT_SAMPLER = Sampler(
    what="init_constant", law="weight 1, bias 0", case_vars=RECIPE_VARS, prelude=RECIPES,
    body=NET + "net.apply(init_constant)\n" + LINEARS,
    dist=D.PointMass(1.0), dist_code="D.PointMass(1.0)",
    describe=lambda c: f"{describe_net(c)}.apply(init_constant)",
    show="print(linears, weights, biases)", verify=verify_init_constant,
    call="net.apply(", step=recipe_step, layout="linear.structure",
)

XAVIER_42_SAMPLER = Sampler(
    what="xavier_42", law="U(-a, a), a = sqrt(6 / (fan_in + fan_out)) (net[0].apply(xavier))",
    case_vars=RECIPE_VARS, prelude=RECIPES,
    body=NET + """bias0, bias2 = net[0].bias.detach().clone(), net[2].bias.detach().clone()
net[0].apply(xavier)
net[2].apply(init_42)
""" + NEXT_FORWARD + """w0 = net[0].weight.detach().to('cpu', torch.float64).numpy()
parts = {'weight': w0.ravel() / D.xavier_uniform_bound(w0.shape)}
""",
    dist=D.Uniform(-1.0, 1.0), dist_code="D.Uniform(-1.0, 1.0)",
    describe=lambda c: f"{describe_net(c)}: net[0].apply(xavier); net[2].apply(init_42)",
    show="print(net[0].weight, net[2].weight, net[0].bias, bias0, net[2].bias, bias2)", verify=verify_xavier_42,
    call="net[", step=recipe_step, layout="linear.structure",
)

MY_INIT_SAMPLER = Sampler(
    what="my_init", law="my_init's law: 0 w.p. 1/2, else U([-10, -5] u [5, 10])", case_vars=RECIPE_VARS,
    prelude=RECIPES,
    body=NET + """before = [m.bias.detach().clone() for m in net.modules() if type_of(m) == Linear]
net.apply(my_init)
""" + LINEARS + "parts = {'weight': weights}\n",
    dist=D.my_init(), dist_code="D.my_init()",
    describe=lambda c: f"{describe_net(c)}.apply(my_init)",
    show="print(linears, weights, before, biases)", verify=verify_my_init,
    call="net.apply(", step=recipe_step, layout="linear.structure",
)

TUTORIAL_NET: Case = (4, 8, 1, None)
INIT_NORMAL_DESIGN = (
    Design(TUTORIAL_NET, 300, ("weight",), "the tutorial's net"),
    Design((None, None, None, 4), 80, ("weight",), "rgnet: Linear layers nested two deep"),
)
XAVIER_42_DESIGN = (
    Design(TUTORIAL_NET, 150, ("weight",), "the tutorial's net: net[0].weight is 8 x 4"),
    Design((8, 3, 2, None), 200, ("weight",), "net[0].weight is 3 x 8"),
)
MY_INIT_DESIGN = (
    Design(TUTORIAL_NET, 200, ("weight",), "the tutorial's net"),
    Design((None, None, None, 4), 31, ("weight",), "rgnet"),
)


def net_case(rgnet: bool, a: int, b: int | None, c: int, n_blocks: int) -> Case:
    """rgnet(n_blocks), or the tutorial's net shape Linear(a, b), ReLU, Linear(b, c)."""
    return (None, None, None, n_blocks) if rgnet else (a, out_width(b, a), c, None)


NET_CASES = st.tuples(st.booleans(), WIDTHS, OUT_WIDTHS, st.integers(1, 8), st.integers(0, 4)).map(
    lambda t: net_case(*t))
FLAT_NET_CASES = st.tuples(WIDTHS, OUT_WIDTHS, st.integers(1, 8)).map(lambda t: net_case(False, *t, 0))


def check_init_normal(ctx: CheckContext, check: Check) -> None:
    run_init_check(ctx, check, INIT_NORMAL_SAMPLER, lambda data: data.draw(NET_CASES, label="net"), INIT_NORMAL_DESIGN)


def check_init_constant(ctx: CheckContext, check: Check) -> None:
    run_init_check(ctx, check, INIT_CONSTANT_SAMPLER, lambda data: data.draw(NET_CASES, label="net"),
                   statistical=False)


def check_xavier_42(ctx: CheckContext, check: Check) -> None:
    run_init_check(ctx, check, XAVIER_42_SAMPLER, lambda data: data.draw(FLAT_NET_CASES, label="net"),
                   XAVIER_42_DESIGN)


def check_my_init(ctx: CheckContext, check: Check) -> None:
    run_init_check(ctx, check, MY_INIT_SAMPLER, lambda data: data.draw(NET_CASES, label="net"), MY_INIT_DESIGN)

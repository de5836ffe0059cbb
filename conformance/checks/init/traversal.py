"""``apply``'s traversal: every submodule once, children before parent."""

from __future__ import annotations

from typing import Any, Callable

from hypothesis import given
from hypothesis import strategies as st

from conformance.checks.init.sampling import (
    InitRunner,
    Sampler,
    preserved_state,
)
from conformance.core.context import CheckContext
from conformance.core.failures import CheckFailure
from conformance.core.registry import Check
from conformance.drawing.blocks import leaf_call
from conformance.drawing.examples import seeded
from conformance.drawing.strategies import SEEDS
from conformance.loading.builders import leaf
from reference import distributions as D

# -- apply: every submodule, children before parent ----------------------------------------------------
TREES = st.recursive(st.sampled_from(["Linear", "ReLU"]), lambda kids: st.lists(kids, max_size=3).map(tuple),
                     max_leaves=8)


def tree_code(target: Any, tree: Any) -> str:
    """The expression that builds ``tree`` (leaves "Linear" (2 -> 2) and "ReLU", tuples: Sequentials)."""
    if tree == "Linear":
        return leaf_call(target, "Linear", 2, 2)
    if tree == "ReLU":
        return leaf_call(target, "ReLU")
    return f"target.Sequential({', '.join(tree_code(target, t) for t in tree)})"


APPLY_BODY = """visited = []
net.apply(visited.append)
print([type(m).__name__ for m in visited])"""


def build_tree(target: Any, tree: Any, handed: list[tuple[Any, list[Any]]]) -> Any:
    """Build ``tree`` (as ``tree_code`` writes it) from the target's blocks, recording every module
    handed out with the children it was given, in post-order: the spec of what ``apply`` visits."""
    if tree in ("Linear", "ReLU"):
        module = leaf(target, tree, *((2, 2) if tree == "Linear" else ()))
        handed.append((module, []))
        return module
    children = [build_tree(target, t, handed) for t in tree]
    module = target.Sequential(*children)
    handed.append((module, children))
    return module


def build_rgnet(target: Any, n_blocks: int, handed: list[tuple[Any, list[Any]]]) -> Any:
    """``builders.rgnet``, recording what it hands out (block2's blocks are added with ``add_module``)."""
    block2 = target.Sequential()
    blocks = []
    for i in range(n_blocks):
        block1 = build_tree(target, ("Linear", "ReLU", "Linear", "ReLU"), handed)
        block2.add_module(f"block{i}", block1)
        blocks.append(block1)
    handed.append((block2, blocks))
    last = leaf(target, "Linear", 4, 1)
    handed.append((last, []))
    net = target.Sequential(block2, last)
    handed.append((net, [block2, last]))
    return net


def check_apply(ctx: CheckContext, check: Check) -> None:
    """``net.apply(fn)`` calls fn once on every module the suite handed to the containers (and on the
    containers) and on every module those register of their own (a parametrized Linear's
    parametrizations, a compiled block's ``_orig_mod``, a layer's observer), each after its children
    (post-order), on nested Sequentials built from the target's blocks and on rgnet. The oracle is what
    was handed over, with what each handed module registers itself, not ``net.modules()``: a container
    that does not register the blocks it was given is caught."""
    runner = InitRunner(ctx, check, Sampler(what="apply", law="", case_vars=(), body="", dist=D.PointMass(0.0),
                                            dist_code="", describe=str, show=""))

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def apply_visits_children_first(data: st.DataObject) -> None:
        tree: Any = None
        if data.draw(st.booleans(), label="rgnet?"):
            n_blocks = data.draw(st.integers(0, 4), label="n_blocks")
            code = f"rgnet(target, {n_blocks})"
        else:
            tree = data.draw(TREES.map(lambda t: t if isinstance(t, tuple) else (t,)), label="tree")
            code = tree_code(ctx.target, tree)
        seed = data.draw(SEEDS, label="torch seed")
        snippet = "\n".join(["import torch", "from conformance.loading.builders import rgnet, torch_leaves",
                             "from conformance.loading.target import load_target",
                             f"target = {ctx.target.load_code()}", f"torch.manual_seed({seed})",
                             f"net = {code}", APPLY_BODY])

        def on_error(problem: str) -> CheckFailure:
            return runner.failure(problem, "", f"net = {code}", snippet)

        handed: list[tuple[Any, list[Any]]] = []
        with seeded(seed, ctx.device), preserved_state():
            net = runner.call(f"constructing {code}", lambda: build_tree(ctx.target, tree, handed) if tree is not None
                              else build_rgnet(ctx.target, n_blocks, handed), on_error)
            visited: list[Any] = []
            runner.call("net.apply(fn)", lambda: net.apply(visited.append), on_error)
        seen: dict[int, int] = {}
        for i, m in enumerate(visited):
            if id(m) in seen:
                raise on_error(f"apply called fn twice on the same {type(m).__name__} (calls {seen[id(m)]} and {i})")
            seen[id(m)] = i
        tree, edges = held(runner, handed, on_error)
        missing = [type(m).__name__ for m in tree.values() if id(m) not in seen]
        if missing:
            raise on_error(f"apply never called fn on {len(missing)} of the {len(tree)} modules of the tree (the "
                           f"blocks given to the containers, the containers, and what each registers of its own): "
                           f"{missing}")
        extra = [type(m).__name__ for m in visited if id(m) not in tree]
        if extra:
            raise on_error(f"apply called fn on modules the tree does not hold: {extra}")
        for m, child in edges:
            if seen[id(child)] > seen[id(m)]:
                raise on_error(f"apply called fn on a {type(m).__name__} (call {seen[id(m)]}) before its child "
                               f"{type(child).__name__} (call {seen[id(child)]}); the spec visits children first")

    apply_visits_children_first()


def held(runner: InitRunner, handed: list[tuple[Any, list[Any]]],
         on_error: Callable[[str], CheckFailure]) -> tuple[dict[int, Any], list[tuple[Any, Any]]]:
    """The modules ``apply`` must visit, by id: every handed module and every module it registers
    (``modules()``: a leaf's own submodules, a container's children); and the (parent, child) pairs it
    must visit children first: the children each container was given, and each registered child."""
    tree: dict[int, Any] = {}
    edges: list[tuple[Any, Any]] = []
    for m, children in handed:
        tree[id(m)] = m
        edges += [(m, child) for child in children]
        # mypy cannot infer the type of a lambda with a default argument (hence the ignores)
        registered = runner.call(f"{type(m).__name__}.modules()", lambda m=m: list(m.modules()),  # type: ignore[misc]
                                 on_error)
        for sub in registered:
            tree.setdefault(id(sub), sub)
            kids = runner.call(f"{type(sub).__name__}.children()",
                               lambda sub=sub: list(sub.children()), on_error)  # type: ignore[misc]
            edges += [(sub, child) for child in kids]
    return tree, edges

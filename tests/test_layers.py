"""The layers of ``conformance/``: no circle of imports, and each module imports only from its own
layer or the layers below it (the table in the README's Layout section).

Imports are read with ``ast``, not by importing: module-level and function-level imports both count
(a function-level import is the same dependency, taken later); imports under ``if TYPE_CHECKING:``
do not (they never run). ``importlib.import_module`` calls (the registry's loading of the check
modules, ``preload``) are not imports of a name and are not read.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "conformance"

#: The layers, lowest first: (name, module prefixes). A module belongs to the layer of its longest
#: matching prefix; it may import from its own layer and any layer before it, never from a later one.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("package", ("conformance",)),  # __init__: the version; the public names are imported lazily
    ("guards", ("conformance.core.errors", "conformance.core.failures", "conformance.core.framing",
                "conformance.sandbox.exits", "conformance.sandbox.timeouts")),
    ("model", ("conformance.drawing", "conformance.judging", "conformance.loading", "conformance.core",
               "conformance.database")),
    ("checks", ("conformance.checks",)),
    ("targets", ("conformance.targets",)),
    ("reports", ("conformance.reports",)),
    ("execution", ("conformance.execution",)),
    ("sandbox", ("conformance.sandbox.forked", "conformance.sandbox.isolation")),
    ("frontends", ("conformance.frontends",)),
    ("entry points", ("conformance.__main__", "conformance.test_")),
]


def module_names() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = module_names()


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _resolve(name: str) -> str | None:
    """The module of ``conformance`` a dotted name is (or is inside of), else None."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str) -> set[str]:
    """The modules of ``conformance`` that ``module`` imports, at any depth of its code, outside
    ``if TYPE_CHECKING:`` blocks."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(_resolve(alias.name) or "")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in MODULES else (_resolve(base) or ""))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(), str(path)))
    return {m for m in found if m and m != module}


def layer_of(module: str) -> int:
    best, layer = -1, -1
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".") or module.startswith(prefix)
                    and prefix.endswith("test_")) and len(prefix) > best:
                best, layer = len(prefix), i
    return layer


GRAPH = {module: imports_of(module) for module in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def test_the_reader_sees_every_kind_of_import() -> None:
    """The reader itself: module-level, function-level and relative imports count; TYPE_CHECKING's do not."""
    assert "conformance.core.registry" in GRAPH["conformance.frontends.runner"]  # module level
    assert "conformance.sandbox.timeouts" in GRAPH["conformance.sandbox.isolation"]  # inside a function
    assert "conformance.frontends.runner" not in GRAPH["conformance"]  # only under TYPE_CHECKING there
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_circle_of_imports() -> None:
    found = cycles(GRAPH)
    assert not found, "import circles (module -> its imports):\n" + "\n".join(
        "  " + ", ".join(f"{m} -> {sorted(GRAPH[m] & set(c))}" for m in c) for c in found)


def test_every_module_has_a_layer() -> None:
    assert not [m for m in MODULES if layer_of(m) < 0]


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    upward = sorted(f"{m} ({LAYERS[layer_of(m)][0]}) imports {i} ({LAYERS[layer_of(i)][0]})"
                    for m, imported in GRAPH.items() for i in imported if layer_of(i) > layer_of(m))
    assert not upward, "\n".join(upward)


def test_nothing_below_the_front_ends_imports_from_them() -> None:
    front = [i for i, (name, _) in enumerate(LAYERS) if name == "frontends"][0]
    below = [m for m in MODULES if layer_of(m) < front]
    assert not [(m, i) for m in below for i in GRAPH[m] if i.startswith("conformance.frontends")]

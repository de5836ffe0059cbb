"""The names a target module defines, read from its source with ``ast`` (nothing imported, so no
torch): a ``--name`` the module lacks is refused in a second, naming its nn.Module classes and the
nearest name, instead of after an import of torch and the target. Where reading cannot tell (no
source, a star import, ``globals()``, a module ``__getattr__``), it says nothing (None) and the
import decides, as before."""

from __future__ import annotations

import ast
import difflib
import importlib.machinery
import importlib.util
import os
from dataclasses import dataclass

#: Names every module's namespace has without defining them.
MODULE_DUNDERS = frozenset({"__name__", "__doc__", "__package__", "__loader__", "__spec__", "__file__",
                            "__cached__", "__builtins__", "__path__", "__annotations__", "__dict__"})
#: Calls that may define module names no reading can see.
DYNAMIC_CALLS = frozenset({"globals", "exec", "eval", "__import__"})


@dataclass(frozen=True)
class SourceNames:
    """What a module's source defines at module level, and which of its classes look like nn.Modules."""

    file: str
    names: frozenset[str]
    modules: tuple[str, ...]  # top-level classes deriving from torch's nn.Module (as far as the source shows)

    def nearest(self, name: str, n: int = 2) -> list[str]:
        """The defined names nearest ``name``: same but for case first, then by spelling; classes first."""
        public = [*self.modules, *sorted(k for k in self.names if not k.startswith("_") and k not in self.modules)]
        same = [k for k in public if k.lower() == name.lower()]
        return (same + [k for k in difflib.get_close_matches(name, public, n=n, cutoff=0.6) if k not in same])[:n]


def source_file(spec: str, builtins: dict[str, str]) -> str | None:
    """The ``.py`` file of a target given as a path, a built-in alias (``builtins``: alias -> module)
    or a module on ``sys.path``, found without importing it or its packages; None when there is none."""
    if spec.endswith(".py") or os.sep in spec or (os.altsep is not None and os.altsep in spec):
        return os.path.abspath(spec) if os.path.isfile(spec) else None
    parts = builtins.get(spec, spec).split(".")
    try:
        found = importlib.util.find_spec(parts[0])  # a top-level name: nothing is imported
        for i in range(1, len(parts)):
            if found is None or not found.submodule_search_locations:
                return None
            found = importlib.machinery.PathFinder.find_spec(".".join(parts[:i + 1]),
                                                             list(found.submodule_search_locations))
    except (ImportError, ValueError):
        return None
    origin = getattr(found, "origin", None)
    return origin if isinstance(origin, str) and origin.endswith(".py") and os.path.isfile(origin) else None


def read_names(path: str) -> SourceNames | None:
    """The module-level names ``path`` defines, or None when its source cannot be read or may define
    names that reading cannot see."""
    try:
        with open(path, encoding="utf-8") as handle:
            tree = ast.parse(handle.read(), filename=path)
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return None  # the import reports a syntax error in its own words
    names: set[str] = set(MODULE_DUNDERS)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and (
                node.func.id in DYNAMIC_CALLS or (node.func.id == "vars" and not node.args)):
            return None
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Name) and node.slice.id == "__name__":
            return None  # sys.modules[__name__]
        if isinstance(node, ast.Global):
            names.update(node.names)
    for statement in tree.body:
        if not _module_level(statement, names):
            return None
    if os.path.basename(path) == "__init__.py":  # a package: its submodules may be set as attributes
        folder = os.path.dirname(path)
        names.update(os.path.splitext(entry)[0] for entry in os.listdir(folder)
                     if entry.endswith(".py") or os.path.isdir(os.path.join(folder, entry)))
    return SourceNames(path, frozenset(names), _module_classes(tree))


def _module_level(node: ast.AST, names: set[str]) -> bool:
    """Add what ``node`` (a statement run at import) binds to ``names``; False when it may bind
    names reading cannot see (``from x import *``, a module ``__getattr__``)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        names.add(node.name)
        return node.name != "__getattr__"
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            if alias.name == "*":
                return False
            names.add(alias.asname or alias.name.split(".")[0])
        return True
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.ExceptHandler) and child.name:
            names.add(child.name)
        if isinstance(child, (ast.excepthandler, ast.match_case)):
            for part in ast.iter_child_nodes(child):  # an except clause or a case: its pattern, its statements
                if not (_module_level(part, names) if isinstance(part, ast.stmt) else _bind(part, names)):
                    return False
        elif isinstance(child, ast.stmt):
            if not _module_level(child, names):
                return False
        else:
            _bind(child, names)
    return True


def _bind(node: ast.AST, names: set[str]) -> bool:
    """Add the names an expression (or pattern, or ``with`` item) binds in this scope to ``names``."""
    for inner in _walk_scope(node):
        if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
            names.add(inner.id)
        elif isinstance(inner, (ast.MatchAs, ast.MatchStar)) and inner.name:
            names.add(inner.name)
        elif isinstance(inner, ast.MatchMapping) and inner.rest:
            names.add(inner.rest)
    return True


def _walk_scope(node: ast.AST):
    """``ast.walk`` that stays in this scope (no lambda or comprehension bodies)."""
    yield node
    if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        return
    for child in ast.iter_child_nodes(node):
        yield from _walk_scope(child)


def _statements(body: list) -> list[ast.stmt]:
    """The statements run at import, in order: ``body`` and what its ``if``, ``try``, ``with`` and
    loops hold (not function or class bodies)."""
    out: list[ast.stmt] = []
    for node in body:
        out.append(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                out.extend(_statements([child]))
            elif isinstance(child, (ast.excepthandler, ast.match_case)):
                out.extend(_statements([c for c in ast.iter_child_nodes(child) if isinstance(c, ast.stmt)]))
    return out


def _module_classes(tree: ast.Module) -> tuple[str, ...]:
    """Module-level classes whose bases are torch's (``nn.Module``, ``torch.nn.Linear``, a name imported
    from torch), a ``...Module``, or such a class of the same module."""
    statements = _statements(tree.body)
    torch_names = {"torch", "nn"}
    for node in statements:
        if isinstance(node, ast.Import):
            torch_names.update(a.asname or a.name.split(".")[0] for a in node.names if a.name.startswith("torch"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("torch"):
            torch_names.update(a.asname or a.name for a in node.names)
    found: list[str] = []
    for node in statements:
        if isinstance(node, ast.ClassDef) and node.name not in found and \
                any(_torch_base(b, torch_names, found) for b in node.bases):
            found.append(node.name)
    return tuple(found)


def _torch_base(base: ast.expr, torch_names: set[str], found: list[str]) -> bool:
    root = base
    while isinstance(root, (ast.Attribute, ast.Subscript, ast.Call)):
        root = root.value if isinstance(root, (ast.Attribute, ast.Subscript)) else root.func
    last = base.attr if isinstance(base, ast.Attribute) else base.id if isinstance(base, ast.Name) else ""
    return (isinstance(root, ast.Name) and (root.id in torch_names or root.id in found)) or last.endswith("Module")

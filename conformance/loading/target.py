"""Resolving ``--impl``: a built-in alias, a path to a ``.py`` file, or a dotted module name."""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import os
import sys
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Mapping

from conformance.core.errors import CLI_TARGET, UsageError
from conformance.loading.source import SourceNames, read_names, source_file
from conformance.sandbox.timeouts import TargetTimeout, time_limit

#: Every name of the contract, in the order the README's table gives them.
CONTRACT_NAMES = (
    "Linear", "ReLU", "Sequential", "MySequential", "MLP", "FixedHiddenMLP", "NestMLP", "Chimera",
    "CenteredLayer", "MyLinear", "init", "save", "load",
)

#: Contract names of the blocks users declared (``conformance.database``), in the order declared,
#: and the spec files that declared them (a reproduction snippet loads them first).
DECLARED_NAMES: list[str] = []
DECLARED_FILES: list[str] = []


def contract_names() -> tuple[str, ...]:
    """The chapter's contract names, then the declared blocks'."""
    return CONTRACT_NAMES + tuple(n for n in DECLARED_NAMES if n not in CONTRACT_NAMES)


BUILTIN_TARGETS = {
    "torch": "conformance.targets.torch_blocks",
    "tutorial": "conformance.targets.tutorial_blocks",
}

#: Contract names a built-in target defines under its own names (the tutorial's ``chimera`` instance).
BUILTIN_NAMES: dict[str, dict[str, str]] = {"tutorial": {"Chimera": "chimera"}}

#: Seconds an import of the target may take (``CONFORMANCE_IMPORT_TIMEOUT`` overrides).
IMPORT_TIMEOUT_S = float(os.environ.get("CONFORMANCE_IMPORT_TIMEOUT", "60"))


class TargetError(UsageError):
    """The implementation under test cannot be used at all (a usage error, reported in one line)."""


@dataclass
class Target:
    """An implementation under test: where it came from and the contract names it defines."""

    spec: str                 # what the user passed, e.g. "mypkg.blocks" or "path/to/blocks.py"
    name: str                 # the resolved module name or alias
    file: str | None          # the module's file, when it has one
    namespace: Mapping[str, Any] = field(repr=False, default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)  # contract name -> the target's own (--name)
    cache: dict[Any, Any] = field(repr=False, default_factory=dict, compare=False)  # per-target derived facts
    torch_fills: tuple[str, ...] = ()  # names taken from torch.nn (``builders.torch_leaves``)
    unwrap: bool = False      # judge a wrapped block's layout by the module inside (``--unwrap``)

    def load_code(self) -> str:
        """The call that loads this target in a reproduction snippet (``--name`` mappings included)."""
        names = {k: v for k, v in self.names.items() if BUILTIN_NAMES.get(self.spec, {}).get(k) != v}
        code = (f"load_target({self.spec!r}" + (f", names={dict(names)!r}" if names else "")
                + (f", specs={DECLARED_FILES!r}" if DECLARED_FILES else "")
                + (", unwrap=True)" if self.unwrap else ")"))
        if not self.torch_fills:
            return code
        return f"torch_leaves({code}{', init=True' if 'init' in self.torch_fills else ''})"

    def provides(self, name: str) -> bool:
        return name in self.namespace

    def get(self, name: str) -> Any:
        return self.namespace[name]

    @property
    def provided(self) -> list[str]:
        return [n for n in contract_names() if n in self.namespace]

    @property
    def version(self) -> str | None:
        value = self.namespace.get("__version__")
        return None if value is None else str(value)


def beside(path: "str | os.PathLike[str]") -> None:
    """Let a file import the modules beside it (``from base import Linear``), as ``python file.py``
    would: its folder is appended to ``sys.path`` (last, so that a file there named like an installed
    package does not shadow it)."""
    folder = os.path.dirname(os.path.abspath(path))
    if folder not in sys.path:
        sys.path.append(folder)


def _import_path(path: str) -> ModuleType:
    name = "conformance_target_" + os.path.splitext(os.path.basename(path))[0].replace("-", "_")
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise TargetError(f"cannot load {path!r} as a Python module")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module  # lets pickling and dataclasses find it
    beside(path)
    try:
        module_spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def check_names(names: Mapping[str, str] | None, option: str = "--name") -> dict[str, str]:
    """Validate a mapping of contract names to the target's own: an unknown contract name is a usage error."""
    names = dict(names or {})
    for contract, theirs in names.items():
        if contract not in contract_names():
            raise TargetError(f"{option} {contract}={theirs}: {contract!r} is not a contract name "
                              f"(the contract names: {', '.join(contract_names())})")
        if not isinstance(theirs, str) or not theirs.strip():
            raise TargetError(f"{option} {contract}=...: the target's name must be a non-empty string, got {theirs!r}")
    return names


def parse_names(pairs: "list[str] | None") -> dict[str, str]:
    """``["MLP=Net", "Chimera=chimera"]`` (repeated ``--name``) as a mapping; malformed pairs are usage errors."""
    out: dict[str, str] = {}
    for pair in pairs or []:
        contract, sep, theirs = pair.partition("=")
        if not sep or not contract.strip() or not theirs.strip():
            raise TargetError(f"--name {pair!r}: expected CONTRACT=THEIRS, e.g. --name MLP=Net")
        out[contract.strip()] = theirs.strip()
    return check_names(out)


def _named(target: Target, names: Mapping[str, str] | None, option: str) -> Target:
    """The target with each contract name in ``names`` bound to the target's own object of that name."""
    mapping = {**BUILTIN_NAMES.get(target.spec, {}), **check_names(names, option)}
    if not mapping:
        return target
    namespace = dict(target.namespace)
    for contract, theirs in mapping.items():
        if theirs not in target.namespace:
            raise _no_such_name(option, contract, theirs, target.spec, target.file, _namespace_names(target))
        namespace[contract] = target.namespace[theirs]
    return Target(target.spec, target.name, target.file, namespace, {**target.names, **mapping}, unwrap=target.unwrap)


def _no_such_name(option: str, contract: str, theirs: str, spec: str, file: str | None,
                  found: SourceNames) -> TargetError:
    """``--name Linear=Dence: the target ... defines no 'Dence' (did you mean `Dense`?); its nn.Module
    classes: Dense, Net``."""
    where = f" ({file})" if file else ""
    near = found.nearest(theirs)
    mean = f" (did you mean {', '.join(f'`{n}`' for n in near)}?)" if near else ""
    classes = (f"its nn.Module classes: {', '.join(found.modules)}" if found.modules
               else "it defines no nn.Module class")
    return TargetError(f"{option} {contract}={theirs}: the target {spec!r}{where} defines no {theirs!r}{mean}; "
                       f"{classes}")


def _namespace_names(target: Target) -> SourceNames:
    """The names of an imported target, its nn.Module classes (its own, or bound to contract names) first."""
    torch = sys.modules.get("torch")
    modules = tuple(k for k, v in target.namespace.items()
                    if torch is not None and isinstance(v, type) and issubclass(v, torch.nn.Module)
                    and (k in contract_names() or not v.__module__.startswith("torch")))
    return SourceNames(target.file or "", frozenset(target.namespace), modules)


def refuse_missing_names(spec: str | None, names: Mapping[str, str] | None, option: str = "--name") -> None:
    """A ``TargetError`` when the module ``spec`` names (a path, an alias or a module on ``sys.path``;
    None: ``$CONFORMANCE_IMPL``, else torch) defines no object of a name ``names`` maps to, read from
    its source, nothing imported (torch neither): in a second, not after importing the target. Silent
    where the source cannot tell (``conformance.loading.source``): the import then decides."""
    mapping = check_names(names, option)
    if not mapping:
        return
    spec = (os.environ.get("CONFORMANCE_IMPL") or "torch") if spec is None else spec
    if not isinstance(spec, str) or not spec.strip():
        return
    spec = spec.strip()
    file = source_file(spec, BUILTIN_TARGETS)
    found = read_names(file) if file else None
    for contract, theirs in mapping.items():
        if found is not None and theirs not in found.names:
            raise _no_such_name(option, contract, theirs, spec, file, found)


def load_target(spec: "str | ModuleType | Mapping[str, Any] | Target | None" = None,
                names: Mapping[str, str] | None = None, option: str = "--name", label: str = CLI_TARGET,
                unwrap: bool | None = None, specs: "list[str] | None" = None) -> Target:
    """Resolve a target: a Target, a module, a mapping of names to factories, or a string.

    A string is a built-in alias (``torch``), a path ending in ``.py``, or a dotted module name
    importable on ``sys.path``. ``None`` reads ``CONFORMANCE_IMPL`` and falls back to ``torch``.
    ``names`` maps contract names to the target's own (``{"MLP": "Net"}``): the contract's ``MLP`` is
    the target's ``Net``. Raises ``TargetError`` with a one-line message when nothing usable is found;
    ``label`` names the value in it (``--impl {}``, or the API's ``run(target={})``).
    ``unwrap``: judge the layout of a wrapped block (compiled, parametrized, pruned, a library
    wrapper) by the module inside (``conformance.loading.wrappers``); None keeps a Target's own setting.
    ``specs``: files declaring blocks of the user's own, registered first (``conformance.database``).
    """
    if specs:  # the database sits above this module: imported by name, not as a dependency
        importlib.import_module("conformance.database.store").load_spec_files(specs)
    if isinstance(spec, Target):
        target = _checked(_named(spec, names, option), label) if names else spec
    else:
        if spec is None or isinstance(spec, str):
            refuse_missing_names(spec, names, option)  # before importing it (and torch): in a second
        target = _checked(_named(_resolve(spec, label), names, option), label)
    if unwrap is not None and unwrap != target.unwrap:
        target = dataclasses.replace(target, unwrap=unwrap)
    return target


def _resolve(spec: "str | ModuleType | Mapping[str, Any] | None", label: str) -> Target:
    if spec is None:
        spec = os.environ.get("CONFORMANCE_IMPL") or "torch"
    if isinstance(spec, ModuleType):
        return Target(spec.__name__, spec.__name__, getattr(spec, "__file__", None), vars(spec))
    if isinstance(spec, Mapping):
        return Target("<mapping>", "<mapping>", None, dict(spec))
    who = label.format(repr(spec))
    if not isinstance(spec, str) or not spec.strip():
        raise TargetError(f"{who}: must be a module name, a .py path or one of {sorted(BUILTIN_TARGETS)}")
    spec = spec.strip()
    module_name = BUILTIN_TARGETS.get(spec, spec)
    is_path = spec.endswith(".py") or os.sep in spec or (os.altsep is not None and os.altsep in spec)
    try:
        with time_limit(IMPORT_TIMEOUT_S, f"importing {spec!r}"):
            if is_path:
                if not os.path.isfile(spec):
                    raise TargetError(f"{who}: no such file (tried the path {os.path.abspath(spec)!r})")
                module = _import_path(os.path.abspath(spec))
            else:
                module = importlib.import_module(module_name)
    except TargetError:
        raise
    except TargetTimeout as exc:
        raise TargetError(f"{who}: import did not finish within {IMPORT_TIMEOUT_S:g} s ({exc})") from None
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise TargetError(
                f"{who}: no module named {module_name!r} on sys.path, no file of that name, "
                f"and no built-in target of that name (built-ins: {', '.join(sorted(BUILTIN_TARGETS))})"
            ) from None
        raise TargetError(f"{who}: importing it failed: {type(exc).__name__}: {exc}") from None
    except BaseException as exc:  # noqa: BLE001 - any failure of user code at import is a usage error
        if isinstance(exc, KeyboardInterrupt):
            raise
        where = _user_frame(exc)
        raise TargetError(f"{who}: importing it raised {type(exc).__name__}: {exc}{where}") from None
    name = spec if spec in BUILTIN_TARGETS else module.__name__
    return Target(spec, name, getattr(module, "__file__", None), vars(module))


def locate_target(spec: str | None) -> tuple[str, str | None]:
    """(name, file) of a target given as a string, found without running any of its code: a usage
    error (``TargetError``) when the alias, file or top-level package does not exist. What importing
    it may raise is found where it is imported (``load_target``)."""
    if spec is None:
        spec = os.environ.get("CONFORMANCE_IMPL") or "torch"
    spec = spec.strip()
    if not spec:
        raise TargetError(f"--impl must be a module name, a .py path or one of {sorted(BUILTIN_TARGETS)}; got {spec!r}")
    if spec.endswith(".py") or os.sep in spec or (os.altsep is not None and os.altsep in spec):
        if not os.path.isfile(spec):
            raise TargetError(f"--impl {spec!r}: no such file (tried the path {os.path.abspath(spec)!r})")
        return spec, os.path.abspath(spec)
    if spec in BUILTIN_TARGETS:
        package = os.path.dirname(os.path.dirname(__file__))  # conformance/
        return spec, os.path.join(package, "targets", BUILTIN_TARGETS[spec].split(".")[-1] + ".py")
    module_name = spec
    top = module_name.split(".")[0]
    try:
        found = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        found = None
    if found is None:
        raise TargetError(
            f"--impl {spec!r}: no module named {module_name!r} on sys.path, no file of that name, "
            f"and no built-in target of that name (built-ins: {', '.join(sorted(BUILTIN_TARGETS))})")
    return spec, found.origin if top == module_name else None


def _user_frame(exc: BaseException) -> str:
    tb = exc.__traceback__
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    if last is None:
        return ""
    return f" (at {last.tb_frame.f_code.co_filename}:{last.tb_lineno})"


def _checked(target: Target, label: str = CLI_TARGET) -> Target:
    if not target.provided:
        where = f" ({target.file})" if target.file else ""
        raise TargetError(
            f"{label.format(repr(target.spec))}{where} defines none of the contract names {', '.join(contract_names())}"
        )
    return target


def _target_getattr(self: Target, name: str) -> Any:
    """``target.Linear`` reads the namespace, so reproduction snippets read like user code."""
    namespace = self.__dict__.get("namespace", {})
    if name in namespace:
        return namespace[name]
    raise AttributeError(f"target {self.spec!r} does not define {name!r}")


Target.__getattr__ = _target_getattr  # type: ignore[attr-defined]

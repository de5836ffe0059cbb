"""The block database: the chapter's blocks (``drawing.blocks.BLOCKS``) and the blocks users declare
in their own files (``--spec FILE``), in one list every front-end's registry reads."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import sys
from pathlib import Path
from typing import Any, Iterator

from conformance.core.errors import UsageError
from conformance.database.chapter import BLOCKS
from conformance.drawing.blocks import BlockSpec
from conformance.loading.construction import register_signature
from conformance.loading.target import DECLARED_FILES, DECLARED_NAMES, beside

#: Blocks declared by the spec files loaded in this process, in the order they were loaded.
_DECLARED: list[BlockSpec] = []
#: The spec files loaded (resolved paths), in order: children and workers load the same ones.
_FILES: list[str] = []
#: Each spec file imported in this process (resolved path -> the blocks it declares): imported once.
_IMPORTED: dict[str, tuple[BlockSpec, ...]] = {}


def blocks() -> tuple[BlockSpec, ...]:
    """Every block of the database: the chapter's, then the declared ones."""
    return BLOCKS + tuple(_DECLARED)


def find_block(key: str) -> BlockSpec | None:
    """The declared block with this key (None: a check of no block, such as ``save.tensors``)."""
    return next((spec for spec in blocks() if spec.key == key), None)


def spec_files() -> tuple[str, ...]:
    return tuple(_FILES)


def _install(spec: BlockSpec) -> None:
    """How the target's constructor for the block's contract name is called (``loading.construction``)."""
    if spec.signature is not None:
        sizes, lazy, defaults, bias, options = spec.signature
        register_signature(spec.name, sizes, options, lazy=lazy, defaults=defaults, bias=bias,
                           reference=lambda given: spec.reference({**spec.base[0], **given}))


for _chapter_block in BLOCKS:  # the chapter's constructors, before any target is read
    _install(_chapter_block)


def register(spec: BlockSpec) -> None:
    """Add a declared block; its key and contract name must be new."""
    clash = next((s for s in blocks() if s.key == spec.key or (s.name == spec.name and spec.signature)), None)
    if clash is not None:
        where = clash.source or "the chapter's blocks"
        raise UsageError(f"block {spec.key!r} ({spec.name}) is declared twice: in {spec.source or 'the suite'} "
                         f"and in {where}")
    _install(spec)
    _DECLARED.append(spec)
    if spec.name not in DECLARED_NAMES:
        DECLARED_NAMES.append(spec.name)


def load_spec_files(paths: Any, relative_to: "str | Path | None" = None) -> tuple[BlockSpec, ...]:
    """Register the blocks each spec file declares (every module-level ``BlockSpec``, what
    ``conformance.database.declare`` returns, in the file's order), importing the file once per
    process. ``relative_to``: the directory relative paths are read from (an expected-failures
    file's). A missing file, one that fails to import, or one that declares nothing is a usage error."""
    added: list[BlockSpec] = []
    for raw in [paths] if isinstance(paths, (str, Path)) else list(paths or ()):
        path = Path(raw).expanduser()
        path = (Path(relative_to) / path if relative_to is not None and not path.is_absolute() else path).resolve()
        if str(path) in _FILES:
            continue
        declared = _IMPORTED.get(str(path)) or _import(raw, path)
        for spec in declared:
            register(spec)
        _FILES.append(str(path))
        DECLARED_FILES.append(str(path))
        added += declared
    return tuple(added)


def _import(raw: Any, path: Path) -> tuple[BlockSpec, ...]:
    if not path.is_file():
        raise UsageError(f"--spec {raw}: no such file")
    name = f"conformance_spec_{len(_IMPORTED)}_{path.stem}"
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise UsageError(f"--spec {raw}: not a Python file")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    beside(path)
    try:
        module_spec.loader.exec_module(module)
    except UsageError:
        raise
    except Exception as exc:  # the user's file: its error, named
        del sys.modules[name]
        raise UsageError(f"--spec {raw}: importing it raised {type(exc).__name__}: {exc}") from exc
    declared = tuple(dataclasses.replace(v, source=str(path)) for v in vars(module).values()
                     if isinstance(v, BlockSpec))
    if not declared:
        raise UsageError(f"--spec {raw}: declares no block (a module-level value returned by "
                         "conformance.database.declare)")
    _IMPORTED[str(path)] = declared
    return declared


@contextlib.contextmanager
def using(paths: Any) -> Iterator[tuple[BlockSpec, ...]]:
    """The blocks of ``paths`` registered for the body only (``conformance.run(spec=...)``): the
    database is as it was afterwards, whatever the body registered."""
    declared, files, names = list(_DECLARED), list(_FILES), list(DECLARED_NAMES)
    try:
        yield load_spec_files(paths)
    finally:
        _DECLARED[:], _FILES[:], DECLARED_NAMES[:], DECLARED_FILES[:] = declared, files, names, files

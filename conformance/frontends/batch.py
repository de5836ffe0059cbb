"""Many targets in one run: what ``--impl A --impl B``, a glob (``--impl 'subs/*.py'``) or a directory
(every ``.py`` file in it, ``__init__.py`` aside) name, each under a short, stable label (a file's
stem, a module's name; the path where two stems clash). With several targets, a check's id in the run
is ``label:check_id`` (``alice:linear.forward[float32]``); one target keeps the bare check ids."""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import Iterable

from conformance.core.errors import UsageError

#: Between a target's label and a check id in the id of a (target, check) pair.
SEPARATOR = ":"


def pair_id(label: str | None, check_id: str) -> str:
    """``alice:linear.forward[float32]``, or the bare check id in a single-target run (label None)."""
    return check_id if label is None else f"{label}{SEPARATOR}{check_id}"


def split_pair(pair: str) -> tuple[str | None, str]:
    """The inverse of ``pair_id`` (check ids contain no ``:``)."""
    label, sep, check_id = pair.rpartition(SEPARATOR)
    return (label if sep else None), check_id


def _is_path(value: str) -> bool:
    return value.endswith(".py") or os.sep in value or (os.altsep is not None and os.altsep in value)


def expand(values: Iterable[str], base: "str | Path" = ".", option: str = "--impl") -> list[str]:
    """The target specs ``values`` name, in order, each once: a directory stands for its ``.py`` files
    and a glob for its matches (sorted); anything else (a file, a module name, an alias) for itself.
    A directory without ``.py`` files or a glob matching nothing is a ``UsageError``."""
    out: list[str] = []
    for value in values:
        full = Path(base) / value
        if os.path.isdir(full):
            found = sorted(str(Path(value) / p.name) for p in full.iterdir()
                           if p.suffix == ".py" and p.name != "__init__.py" and p.is_file())
            if not found:
                raise UsageError(f"{option} {value!r}: a directory with no .py file")
        elif any(c in value for c in "*?["):
            found = sorted(os.path.relpath(p, base) if not os.path.isabs(value) else p
                           for p in glob.glob(str(full)) if p.endswith(".py") and os.path.isfile(p))
            if not found:
                raise UsageError(f"{option} {value!r}: the pattern matches no .py file")
        else:
            found = [value]
        out += [spec for spec in found if spec not in out]
    return out


def labels(specs: list[str]) -> list[str]:
    """A short label per spec, unique in the run: a path's stem (the path without ``.py`` where two
    stems are equal), a module name or alias as given."""
    def short(spec: str) -> str:
        return Path(spec).stem if _is_path(spec) else spec

    stems = [short(s) for s in specs]
    out = [stem if stems.count(stem) == 1 else (spec[:-3] if spec.endswith(".py") else spec)
           for stem, spec in zip(stems, specs, strict=True)]
    for i, label in enumerate(out):
        if out.index(label) != i:
            raise UsageError(f"--impl: two targets would both be labelled {label!r}; name each once")
    return [label.replace(SEPARATOR, "_") for label in out]

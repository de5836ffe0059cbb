"""The command line's checks of the user's own input, made before any check runs (or, for what only
the run can tell, instead of a green result): report paths, the suite's path outside a clone, a
``-k`` expression that selects nothing, a target that provides none of the selected checks."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable

from conformance.core.errors import UsageError
from conformance.frontends.selection import suggest

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def check_writable(path: str, option: str, base: "str | Path") -> None:
    """A ``UsageError`` unless ``path`` (relative to ``base``) can be written: its directory exists
    and is writable, and it is not itself a directory."""
    full = Path(base) / path
    parent = full.parent
    if not parent.is_dir():
        raise UsageError(f"{option} {path!r}: directory {str(parent)!r} does not exist")
    if full.is_dir():
        raise UsageError(f"{option} {path!r}: is a directory; give a file name")
    if not os.access(parent, os.W_OK) or (full.exists() and not os.access(full, os.W_OK)):
        raise UsageError(f"{option} {path!r}: not writable")


def check_suite_args(args: Iterable[str], base: "str | Path", pyargs: bool) -> None:
    """``pytest conformance`` outside a clone of the suite names a directory that is not there: say
    how to collect the installed suite instead of pytest's bare "file or directory not found"."""
    if pyargs:
        return
    for arg in args:
        path = arg.split("::", 1)[0]
        if re.match(r"conformance([/\\]|$)", path) and not (Path(base) / path).exists():
            raise UsageError(
                f"file or directory not found: {arg} (outside a clone of the suite, collect the installed suite "
                f"with `python -m pytest --pyargs conformance ...`, or run `python -m conformance ...`)")


def runs_the_suite(args: Iterable[str], base: "str | Path", pyargs: bool) -> bool:
    """Whether the run collects the suite's own test modules (so an empty selection is ours to explain)."""
    for arg in args:
        path = arg.split("::", 1)[0]
        if pyargs and (path == "conformance" or path.startswith("conformance.")):
            return True
        try:
            resolved = (Path(base) / path).resolve()
        except OSError:
            continue
        if resolved == PACKAGE_DIR or PACKAGE_DIR in resolved.parents:
            return True
    return False


def keyword_error(expression: str, check_ids: Iterable[str]) -> str:
    """The message for a ``-k`` expression that selects no check: its words that match no check id
    (pytest matches ``-k`` words as substrings of test names), each with the nearest ids."""
    ids = list(check_ids)
    words = [w for w in re.findall(r"[^\s()]+", expression) if w not in ("and", "or", "not")]
    unknown = [w for w in words if not any(w.lower() in i.lower() for i in ids)]
    detail = "; ".join(f"{w!r} is in no check id{suggest(w, ids, wildcard='')}" for w in unknown)
    return f"-k {expression!r} selects no check" + (f": {detail}" if detail else "")


def not_provided_error(target: str, provides: list[str] | None, count: int) -> str:
    defines = f"; it defines {', '.join(provides)}" if provides else ""
    return (f"target {target!r} provides none of the {count} selected checks (all not provided){defines}: "
            "nothing was checked")

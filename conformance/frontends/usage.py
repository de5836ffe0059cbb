"""The command line's checks of the user's own input, made before any check runs (or, for what only
the run can tell, instead of a green result): report paths, the suite's path outside a clone, a
``-k`` expression that selects nothing (and ``-k`` by the target's own names, which selects their
contract names' checks), a target that provides none of the selected checks."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable, Mapping

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


def keyword_error(expression: str, check_ids: Iterable[str], names: Mapping[str, str] | None = None) -> str:
    """The message for a ``-k`` expression that selects no check: its words that match no check id
    (pytest matches ``-k`` words as substrings of test names), each with the nearest ids; a word that
    is the target's own name for a contract name (``names``, as ``--name``) is said to stand for that."""
    ids = list(check_ids)
    own = _own_names(names)
    words = [w for w in re.findall(r"[^\s()]+", expression) if w not in ("and", "or", "not")]
    mapped = [w for w in words if w.split(".", 1)[0].lower() in own]
    unknown = [w for w in words if w not in mapped and not any(w.lower() in i.lower() for i in ids)]
    near = [*ids, *(theirs for _, theirs in own.values())]  # a typo of their own name: that name
    detail = [f"{w!r} is in no check id{suggest(w, near, wildcard='')}" for w in unknown]
    for w in mapped:
        contract, theirs = own[w.split(".", 1)[0].lower()]
        detail.append(f"{w!r} selects `{block_key(contract)}`'s checks (ids use the contract's names; {theirs} is "
                      f"checked as `{block_key(contract)}`, --name {contract}={theirs})")
    return f"-k {expression!r} selects no check" + (f": {'; '.join(detail)}" if detail else "")


#: The block of the check ids about a contract name, where it is not the name in lower case.
_BLOCK_KEYS = {"load": "save"}
#: What pytest reads as one word of a ``-k`` expression (``_pytest.mark.expression``'s ident).
_KEYWORD_WORD = re.compile(r"(?:\w|[:+\-.\[\]\\/])+")


def block_key(contract: str) -> str:
    """The first part of the ids of the checks of a contract name: ``linear`` for ``Linear``."""
    return _BLOCK_KEYS.get(contract.lower(), contract.lower())


def _own_names(names: Mapping[str, str] | None) -> dict[str, tuple[str, str]]:
    """The target's own names (lower case) that are no check id's block: -> (contract name, theirs)."""
    from conformance.loading.target import contract_names

    keys = {block_key(c) for c in contract_names()} | {"rgnet", "tiedsequential", "tiedmysequential"}
    return {theirs.lower(): (contract, theirs) for contract, theirs in (names or {}).items()
            if theirs.lower() not in keys}


def own_names_keyword(expression: str, names: Mapping[str, str] | None, several: bool = False) -> str:
    """``-k`` with each word that is the target's own name for a contract name (``--name Linear=Dense``:
    ``dense``, any case, or ``Dense.forward``) made to select that contract name's ids (``[linear.``,
    the test ids' ``[linear.forward...]``; ``several`` targets: ``:linear.``, as in ``label:linear...``)."""
    own = _own_names(names)
    if not expression or not own:
        return expression

    def word(match: re.Match) -> str:
        head, dot, rest = match.group(0).partition(".")
        if head.lower() not in own or match.group(0) in ("and", "or", "not"):
            return match.group(0)
        return f"{':' if several else '['}{block_key(own[head.lower()][0])}.{rest if dot else ''}"

    return _KEYWORD_WORD.sub(word, expression)


def not_provided_error(target: str, provides: list[str] | None, count: int) -> str:
    defines = f"; it defines {', '.join(provides)}" if provides else ""
    return (f"target {target!r} provides none of the {count} selected checks (all not provided){defines}: "
            "nothing was checked")

"""Selecting checks by id pattern, and what a selection that selects nothing says: the nearest ids
("did you mean ...?"), so a typo is an error that points at its fix rather than a green run."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Iterable

from conformance.core.errors import UsageError
from conformance.frontends.runner_patterns import matches

if TYPE_CHECKING:
    from conformance.core.registry import Check


def candidates(check_ids: Iterable[str], wildcard: str = ".*") -> list[str]:
    """What a user may have meant: every id, every ``block.property`` and every block (as
    ``block.*``, or with ``wildcard=""`` for ``-k``, which matches substrings)."""
    out: dict[str, None] = {}
    for check_id in check_ids:
        out[check_id] = None
        base = check_id.split("[", 1)[0]
        out[base] = None
        out[base.split(".", 1)[0] + wildcard] = None
    return list(out)


def suggest(pattern: str, check_ids: Iterable[str], n: int = 3, wildcard: str = ".*") -> str:
    """`` (did you mean `a`, `b`?)`` for the ids nearest ``pattern``, or ``""`` when none is near."""
    close = difflib.get_close_matches(pattern.strip(), candidates(check_ids, wildcard), n=n, cutoff=0.6)
    return f" (did you mean {', '.join(f'`{c}`' for c in close)}?)" if close else ""


def unmatched(patterns: Iterable[str], check_ids: Iterable[str]) -> list[str]:
    """The patterns that match none of ``check_ids``."""
    ids = list(check_ids)
    return [p for p in patterns if not any(matches(p, i) for i in ids)]


def require_matches(patterns: Iterable[str], check_ids: Iterable[str], label: str) -> None:
    """A ``UsageError`` naming every pattern that selects no check, with the nearest ids."""
    ids = list(check_ids)
    bad = unmatched(patterns, ids)
    if bad:
        raise UsageError(f"{label}: " + "; ".join(f"{p!r} matches no check id{suggest(p, ids)}" for p in bad))


def select_checks(patterns: Iterable[str] | None = None, label: str | None = None) -> list[Check]:
    """All checks, or those matching one of ``patterns``. With ``label`` (how errors name the
    selection, e.g. ``run(checks=...)``), a pattern that matches no check is a ``UsageError``."""
    from conformance.core.registry import all_checks  # here: the plugin imports this module, and no Hypothesis

    checks = all_checks()
    if patterns is None:
        return checks
    if isinstance(patterns, str):
        patterns = [patterns]
    patterns = list(patterns)
    if label is not None:
        if not patterns:
            raise UsageError(f"{label}: an empty selection selects no check")
        require_matches(patterns, (c.id for c in checks), label)
    return [c for c in checks if any(matches(p, c.id) for p in patterns)]

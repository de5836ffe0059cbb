"""The expected-failures file, kept in the user's repo:

    [xfail]
    "mysequential.structure" = "keys _modules by block object; fixing in 2.0"
    [skip]
    "fixedhiddenmlp.*" = "not shipped"
    [tolerance]
    "linear.forward[float32]" = { factor = 4, reason = "fused kernel rounds twice" }
    [specs]
    files = ["specs/layernorm.py"]   # blocks declared by the user (--spec), relative to this file

Keys are check ids or patterns (``*`` matches any run of characters). Every entry needs a reason; an
entry that matches no check of the suite is an error, so a stale entry cannot hide anything.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pytest

from conformance.core.errors import CLI_EXPECTED, UsageError
from conformance.frontends.runner_patterns import matches
from conformance.frontends.selection import suggest, unmatched

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, from PyPI
    import tomli as tomllib

SECTIONS = ("xfail", "skip", "tolerance")


class ExpectedFileError(UsageError):
    """The file is malformed or names checks that do not exist (reported as a usage error)."""


@dataclass
class Expectations:
    xfail: dict[str, str] = field(default_factory=dict)
    skip: dict[str, str] = field(default_factory=dict)
    tolerance: dict[str, tuple[float, str]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # [names]: contract name -> the target's own
    specs: list[str] = field(default_factory=list)  # [specs] files: block declarations, loaded with the file
    source: str = "<none>"
    label: str = CLI_EXPECTED  # how errors name the file

    @classmethod
    def load(cls, path: "str | Path", label: str = CLI_EXPECTED) -> "Expectations":
        """Read and check the file; ``label`` names it in errors (``--expected {}``, ``run(expected={})``)."""
        who = label.format(repr(str(path)))
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ExpectedFileError(f"{who}: {exc}") from None
        unknown = set(raw) - set(SECTIONS) - {"names", "specs"}
        if unknown:
            raise ExpectedFileError(f"{who}: unknown sections {sorted(unknown)}; "
                                    f"use {list(SECTIONS) + ['names', 'specs']}")
        out = cls(source=str(path), label=label)
        files = raw.get("specs", {}).get("files", []) if isinstance(raw.get("specs", {}), dict) else None
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files) or set(raw.get("specs", {})) - {
                "files"}:
            raise ExpectedFileError(f"{who}: [specs] lists block declarations as files = [\"path.py\", ...]")
        if files:
            from conformance.database.store import load_spec_files

            try:
                load_spec_files(files, relative_to=Path(path).resolve().parent)
            except UsageError as exc:
                raise ExpectedFileError(f"{who}: [specs] {exc}") from None
            out.specs = [str((Path(path).resolve().parent / f).resolve()) for f in files]
        names = raw.get("names", {})
        if not isinstance(names, dict) or not all(isinstance(v, str) and v.strip() for v in names.values()):
            raise ExpectedFileError(f"{who}: [names] maps contract names to the target's own, e.g. MLP = \"Net\"")
        from conformance.loading.target import TargetError, check_names

        try:
            out.names = check_names(names, option=f"{who}: [names]")
        except TargetError as exc:
            raise ExpectedFileError(str(exc)) from None
        for section in ("xfail", "skip"):
            for pattern, reason in raw.get(section, {}).items():
                if not isinstance(reason, str) or not reason.strip():
                    raise ExpectedFileError(f"{who}: [{section}] {pattern!r} "
                                            "needs a reason (a non-empty string)")
                getattr(out, section)[pattern] = reason
        for pattern, entry in raw.get("tolerance", {}).items():
            factor = entry.get("factor") if isinstance(entry, dict) else None
            reason = entry.get("reason") if isinstance(entry, dict) else None
            if not isinstance(factor, (int, float)) or factor < 1 or not isinstance(reason, str) or not reason.strip():
                raise ExpectedFileError(f"{who}: [tolerance] {pattern!r} must be "
                                        "{ factor = <number >= 1>, reason = \"...\" }")
            out.tolerance[pattern] = (float(factor), reason)
        return out

    def validate(self, check_ids: Iterable[str]) -> None:
        """Every entry must match at least one check of the suite."""
        ids = list(check_ids)
        stale = [f"[{section}] {pattern!r}{suggest(pattern, ids)}" for section in SECTIONS
                 for pattern in unmatched(getattr(self, section), ids)]
        if stale:
            raise ExpectedFileError(f"{self.label.format(repr(self.source))}: entries match no check: "
                                    f"{', '.join(stale)}")

    @classmethod
    def resolve(cls, expected: "str | Path | Expectations | None", check_ids: Iterable[str],
                label: str = CLI_EXPECTED) -> "Expectations | None":
        """None, or the expectations (loaded when given a path) validated against ``check_ids``."""
        if expected is None:
            return None
        resolved = expected if isinstance(expected, Expectations) else cls.load(expected, label)
        if resolved.specs:  # its blocks' checks exist now
            from conformance.core.registry import all_checks

            check_ids = [c.id for c in all_checks()]
        resolved.validate(check_ids)
        return resolved

    def mark(self, check_id: str, strict: bool = False, xfail_as_skip: bool = False) -> "pytest.MarkDecorator | None":
        """The pytest mark for a covered check: ``skip`` (also for an xfail under ``xfail_as_skip``) or
        ``xfail`` (strict: an XPASS fails); None for a check the file does not cover."""
        outcome = self.outcome(check_id)
        if outcome is None:
            return None
        kind, reason = outcome
        if kind == "skip" or xfail_as_skip:
            return pytest.mark.skip(reason=f"{kind} in {self.source}: {reason}")
        return pytest.mark.xfail(reason=reason, strict=strict)

    def outcome(self, check_id: str) -> tuple[str, str] | None:
        """("skip" | "xfail", reason) for a check the file covers; skip wins over xfail."""
        for section in ("skip", "xfail"):
            for pattern, reason in getattr(self, section).items():
                if matches(pattern, check_id):
                    return section, reason
        return None

    def widen(self, check_ids: Iterable[str]) -> dict[str, float]:
        """check id -> tolerance factor (the largest of the matching entries)."""
        out: dict[str, float] = {}
        for check_id in check_ids:
            factors = [f for pattern, (f, _) in self.tolerance.items() if matches(pattern, check_id)]
            if factors:
                out[check_id] = max(factors)
        return out

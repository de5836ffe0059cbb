"""The outcomes a check can raise besides passing, and how a failure reads."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .examples import Example


class CheckFailure(AssertionError):
    """The implementation departs from the spec. The message names the check, the property, the
    drawn example, expected vs actual, and a snippet that reproduces it; the same parts are kept as
    attributes for the reports."""

    check_id: str = ""
    problem: str = ""
    detail: str = ""
    example: str = ""
    snippet: str = ""

    def fields(self) -> dict[str, str]:
        """The parts of the failure a report records: reason, example, snippet."""
        reason = self.problem + ("\n" + self.detail.strip("\n") if self.detail else "")
        return {"reason": reason or str(self), "example": self.example, "snippet": self.snippet}


def failure_fields(exc: BaseException) -> dict[str, str]:
    """Report fields of any exception a check raised: a CheckFailure's parts (also when a timeout
    carries one), else its text. Hypothesis's notes (the falsifying example, the seed) are appended."""
    carried = getattr(exc, "failure", None)
    if isinstance(exc, CheckFailure):
        out = exc.fields()
    elif isinstance(carried, CheckFailure):
        out = carried.fields()
    else:
        out = {"reason": f"{type(exc).__name__}: {exc}", "example": "", "snippet": ""}
    notes = [n for n in getattr(exc, "__notes__", []) if n.strip()]
    if notes:
        out["hypothesis"] = "\n".join(notes)
    return out


class NotProvided(pytest.skip.Exception):  # type: ignore[name-defined,misc]
    """The target does not define a name the check needs: reported as *not provided*, never as passed."""

    PREFIX = "not provided: "


def fail(check_id: str, problem: str, detail: str = "", example: "Example | None" = None,
         target_spec: str | None = None, body: str = "") -> "CheckFailure":
    """Build (for ``raise``) the failure of ``check_id``: what is wrong, then the example and its repro."""
    parts = [f"{check_id}: {problem}"]
    described = snippet = ""
    if detail:
        parts.append(textwrap.indent(detail.strip("\n"), "  "))
    if example is not None:
        described = example.describe()
        parts.append("Example:\n" + textwrap.indent(described, "  "))
        if target_spec is not None:
            snippet = example.snippet(target_spec, body)
            parts.append("Reproduce:\n" + textwrap.indent(snippet, "  "))
    failure = CheckFailure("\n".join(parts))
    failure.check_id, failure.problem, failure.detail = check_id, problem, detail
    failure.example, failure.snippet = described, snippet
    return failure

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


def failure(check_id: str, problem: str, detail: str = "", example: str = "", snippet: str = "") -> CheckFailure:
    """Build (for ``raise``) the failure of ``check_id``: what is wrong and why, the example (as text)
    and the snippet that reproduces it; the same parts are kept as attributes for the reports."""
    parts = [f"{check_id}: {problem}"]
    if detail:
        parts.append(textwrap.indent(detail.strip("\n"), "  "))
    if example:
        parts.append("Example:\n" + textwrap.indent(example, "  "))
    if snippet:
        parts.append("Reproduce:\n" + textwrap.indent(snippet, "  "))
    out = CheckFailure("\n".join(parts))
    out.check_id, out.problem, out.detail, out.example, out.snippet = check_id, problem, detail, example, snippet
    return out


def fail(check_id: str, problem: str, detail: str = "", example: "Example | None" = None,
         target_spec: str | None = None, body: str = "") -> CheckFailure:
    """The failure of ``check_id`` on a drawn block ``example``, reproduced against ``target_spec``."""
    return failure(check_id, problem, detail, example.describe() if example is not None else "",
                   example.snippet(target_spec, body) if example is not None and target_spec is not None else "")

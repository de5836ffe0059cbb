"""The outcomes a check can raise besides passing, and how a failure reads."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .examples import Example


class CheckFailure(AssertionError):
    """The implementation departs from the spec. The message names the check, the property, the
    drawn example, expected vs actual, and a snippet that reproduces it."""


class NotProvided(pytest.skip.Exception):  # type: ignore[name-defined,misc]
    """The target does not define a name the check needs: reported as *not provided*, never as passed."""

    PREFIX = "not provided: "


def fail(check_id: str, problem: str, detail: str = "", example: "Example | None" = None,
         target_spec: str | None = None, body: str = "") -> "CheckFailure":
    """Build (for ``raise``) the failure of ``check_id``: what is wrong, then the example and its repro."""
    parts = [f"{check_id}: {problem}"]
    if detail:
        parts.append(textwrap.indent(detail.strip("\n"), "  "))
    if example is not None:
        parts.append("Example:\n" + textwrap.indent(example.describe(), "  "))
        if target_spec is not None:
            parts.append("Reproduce:\n" + textwrap.indent(example.snippet(target_spec, body), "  "))
    return CheckFailure("\n".join(parts))

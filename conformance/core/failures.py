"""The outcomes a check can raise besides passing, and how a failure reads."""

from __future__ import annotations

import builtins
import textwrap
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conformance.drawing.examples import Example


class CheckFailure(AssertionError):
    """The implementation departs from the spec. The message names the check, the property, the
    drawn example, expected vs actual, and a snippet that reproduces it; the same parts are kept as
    attributes for the reports."""

    check_id: str = ""
    problem: str = ""
    detail: str = ""
    example: str = ""
    snippet: str = ""
    also: tuple[str, ...] = ()  # the other distinct failures of the check, each as its full text
    #: The decisive values in a few words, for the one line per failure (``expected 0.0, actual nan
    #: at x == -inf``); the detail says the same at length. Empty where the problem says it all.
    fact: str = ""
    also_facts: tuple[str, ...] = ()  # the fact of each failure in ``also``, in its order

    def fields(self) -> dict[str, Any]:
        """The parts of the failure a report records: reason, example, snippet, the other failures,
        and the facts of the one-line summary."""
        reason = self.problem + ("\n" + self.detail.strip("\n") if self.detail else "")
        out: dict[str, Any] = {"reason": reason or str(self), "example": self.example, "snippet": self.snippet}
        if self.fact:
            out["fact"] = self.fact
        if self.also:
            out["also"] = list(self.also)
        if any(self.also_facts):
            out["also_facts"] = list(self.also_facts)
        return out


def failure_fields(exc: BaseException) -> dict[str, Any]:
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


class NotChecked(pytest.skip.Exception):  # type: ignore[name-defined,misc]
    """The check cannot judge the target: another property fails first (``cause``: that check's id,
    whose failure the run reports), or there was nothing to check. Neither passed nor failed: a run
    with a *not checked* result whose cause did not fail in that run is red."""

    PREFIX = "not checked: "

    def __init__(self, reason: str, cause: str | None = None, detail: str = "") -> None:
        text = NotChecked.PREFIX + reason + (f" (see {cause})" if cause else "")
        super().__init__(text + (f"\n{detail}" if detail else ""), allow_module_level=True)
        self.reason, self.cause, self.detail = reason, cause, detail


#: The *not checked* reasons that blame the spec a user declared, not the target: its reference
#: raises (or mixes rows although declared row-wise), has no bound rule, or refused every example.
#: Such a run cannot be green (``reports.report.unconfirmed``); ``spec_at_fault`` reads them back.
DECLARATION_AT_FAULT = "{name}'s declaration is at fault ({source}): {what}"
UNBOUNDED = "the declared reference of {name} cannot be bounded: {what}"
REFUSED_EVERY_EXAMPLE = "the spec's reference refused every example drawn ({n} of them; {what})"
_SPEC_FAULT_WORDS = ("'s declaration is at fault (", "the declared reference of ",
                     "the spec's reference refused every example drawn (")


def spec_at_fault(reason: str) -> bool:
    """Whether a *not checked* reason blames the declared spec (one of the wordings above)."""
    return any(words in reason for words in _SPEC_FAULT_WORDS)


def not_checked_cause(text: str) -> str | None:
    """The cause's check id in a *not checked* reason (``... (see mlp.structure)``), or None."""
    import re

    found = re.search(r"\(see ([\w.\[\]]+)\)", text.split("\n", 1)[0])
    return found.group(1) if found else None


def failure(check_id: str, problem: str, detail: str = "", example: str = "", snippet: str = "",
            also: "tuple[str, ...]" = (), fact: str = "", also_facts: "tuple[str, ...]" = ()) -> CheckFailure:
    """Build (for ``raise``) the failure of ``check_id``: what is wrong and why, the example (as text)
    and the snippet that reproduces it; the same parts are kept as attributes for the reports.
    ``also``: the full texts of other, distinct failures of the same check (listed after it), with
    their ``also_facts``. ``fact``: the decisive values in a few words, for the one-line summary
    (not part of the text: the detail says it)."""
    parts = [f"{check_id}: {problem}"]
    if detail:
        parts.append(textwrap.indent(detail.strip("\n"), "  "))
    if example:
        parts.append("Example:\n" + textwrap.indent(example, "  "))
    if snippet:
        parts.append("Reproduce:\n" + textwrap.indent(snippet, "  "))
    for other in also:
        parts.append(ALSO_SEEN + "\n" + textwrap.indent(other, "  "))
    out = CheckFailure("\n".join(parts))
    out.check_id, out.problem, out.detail, out.example, out.snippet = check_id, problem, detail, example, snippet
    out.also = tuple(also)
    out.fact = fact
    out.also_facts = tuple(also_facts) + ("",) * (len(out.also) - len(also_facts))
    return out


def _group_type() -> type[BaseException]:
    found: type[BaseException] | None = getattr(builtins, "BaseExceptionGroup", None)
    if found is None:  # Python 3.10: Hypothesis depends on the backport
        from exceptiongroup import BaseExceptionGroup as found  # type: ignore[no-redef]
    assert found is not None
    return found


#: ``BaseExceptionGroup``: how Hypothesis raises several distinct failures of one test.
EXCEPTION_GROUP = _group_type()

ALSO_SEEN = "Also seen (another, distinct failure of this check, shrunk on its own):"


def _carried(exc: BaseException) -> "CheckFailure | None":
    if isinstance(exc, CheckFailure):
        return exc
    carried = getattr(exc, "failure", None)
    return carried if isinstance(carried, CheckFailure) else None


def _flat(group: BaseException) -> list[BaseException]:
    if isinstance(group, EXCEPTION_GROUP):
        return [e for member in group.exceptions for e in _flat(member)]  # type: ignore[attr-defined]
    return [group]


def merge_failures(group: BaseException) -> BaseException:
    """One exception for the distinct failures Hypothesis found in one check (its
    ``report_multiple_bugs``, each shrunk on its own): the one Hypothesis reports when it reports
    one (the last) is the check's failure, with the others listed after it as *also seen* (their
    full texts, in ``also``). A member that is no failure of the check (an exception no guard
    framed: see ``framing.unguarded``) is raised instead, so it is never hidden."""
    members = _flat(group)
    stray = [e for e in members if _carried(e) is None]
    if stray:
        return stray[0]
    *others, first = [_carried(e) for e in members]  # the last: the one Hypothesis reports alone
    assert first is not None
    facts = {_text(o): o.fact for o in others if o is not None and _text(o) != _text(first)}
    merged = failure(first.check_id, first.problem, first.detail, first.example, first.snippet,
                     (*first.also, *facts), first.fact, (*first.also_facts, *facts.values()))
    merged.__cause__ = first.__cause__  # the target's own exception, for -vv's traceback
    for note in getattr(members[-1], "__notes__", []):
        merged.add_note(note)
    return merged


def _text(f: CheckFailure) -> str:
    """A failure's text without its check id (it is the same check's)."""
    return str(f).removeprefix(f"{f.check_id}: ")


def fail(check_id: str, problem: str, detail: str = "", example: "Example | None" = None,
         target_load: str | None = None, body: str = "", fact: str = "") -> CheckFailure:
    """The failure of ``check_id`` on a drawn block ``example``, reproduced against the target that
    ``target_load`` (a ``load_target(...)`` call) loads (``fact``: as in ``failure``)."""
    return failure(check_id, problem, detail, example.describe() if example is not None else "",
                   example.snippet(target_load, body) if example is not None and target_load is not None else "",
                   fact=fact)

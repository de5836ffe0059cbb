"""One line per failing check, within the terminal's width (100 columns): the check's id, what is
wrong, and the decisive fact (``CheckFailure.fact``: the worst element's expected and actual values,
the special input there), the fact kept whole as far as the width allows.

The problem is shortened first, in steps (``ABBREVIATIONS``, then the example's label in brackets,
parentheticals and a leading "the " left out), then cut in the middle (`` ... ``), so its start
(what) and its end (often what is wrong: ``... but got: double != float``) both stay; a raise keeps
``<call> raised <exception type>:`` whole. The full texts (``-v``, the reports) are never shortened.
"""

from __future__ import annotations

import re

WIDTH = 100
#: What a cut leaves out.
MARK = " ... "
#: Long phrases of the suite's problems and their short forms, for the one line.
ABBREVIATIONS = (
    (" differs from the reference beyond the rounding-error bound", " is off"),
    (" differs from the reference's accumulated gradient beyond the bound", " is off"),
    ("autograd's gradient disagrees with finite differences of the block itself", "directional derivative off"),
)
_PARENTHETICAL = re.compile(r" \((?:[^()]|\([^()]*\))*\)")  # one level of nesting: (os._exit(0))
_BRACKETED = re.compile(r" \[[^\[\]]*\]$")
#: The fewest characters of the problem kept before the fact is cut too.
MIN_PROBLEM = 12


def cut(text: str, room: int) -> str:
    """``text`` in at most ``room`` characters: whole if it fits, else its start and its end around
    `` ... ``, whole words (about three fifths of the room for the start), the room filled."""
    if len(text) <= room:
        return text
    if room <= len(MARK) + 2:
        return text[:room]
    keep = room - len(MARK)
    words = text.split(" ")
    head: list[str] = []
    tail: list[str] = []

    def fits(part: list[str], word: str, budget: int) -> bool:
        return len(" ".join([*part, word])) <= budget

    while len(head) < len(words) and fits(head, words[len(head)], keep * 3 // 5):
        head.append(words[len(head)])
    start = " ".join(head) or text[: keep * 3 // 5]
    while len(head) + len(tail) < len(words) and fits(tail, words[-1 - len(tail)], keep - len(start)):
        tail.insert(0, words[-1 - len(tail)])
    end = " ".join(tail) or text[len(text) - (keep - len(start)):]
    while head and len(head) + len(tail) < len(words) and fits(head, words[len(head)], keep - len(end)):
        head.append(words[len(head)])  # what the end left of the room
    start = " ".join(head) or start
    return start + MARK + end


#: ``<the call> raised <the exception's type>: `` at the start of a problem.
_RAISED = re.compile(r"^(.{1,60}? raised [\w.]+: )")


def abbreviated(problem: str) -> str:
    """``problem`` with the suite's long phrases in their short forms (``ABBREVIATIONS``)."""
    for long, short in ABBREVIATIONS:
        problem = problem.replace(long, short)
    return problem


def shorter(problem: str, parentheticals: bool = False) -> list[str]:
    """``problem`` and its ever shorter forms: abbreviated, without the label in brackets (where
    the example sits: ``[at the edge: input width 0]``), and unless ``parentheticals``, without
    parentheticals and a leading "the " (each step only where it changes the text)."""
    forms = [problem, abbreviated(problem)]
    forms.append(_BRACKETED.sub("", forms[-1]))
    if not parentheticals:
        forms.append(_PARENTHETICAL.sub("", forms[-1]))
        forms.append(forms[-1].removeprefix("the "))
    return list(dict.fromkeys(forms))


def body(problem: str, fact: str, room: int) -> str:
    """``problem: fact`` in at most ``room`` characters: the problem shortened before the fact, the
    fact cut last. Where there is no fact (or the problem already says it: ``forward raised
    ValueError: ...``) the problem alone, shortened and cut in the middle if need be, its
    parentheticals kept (``(expected True)``)."""
    if not fact or fact in problem:
        kept, dropped = shorter(problem, parentheticals=True), shorter(problem)
        fitting = next((form for form in dict.fromkeys(kept + dropped) if len(form) <= room), None)
        if fitting is not None:
            return fitting
        raised = _RAISED.match(dropped[-1])  # the call and the exception whole, its message cut
        if raised and len(raised.group(1)) + MIN_PROBLEM <= room:
            message = dropped[-1][raised.end():]
            if len(message) > room - len(raised.group(1)):
                message = message.removeprefix("the ")
            return raised.group(1) + cut(message, room - len(raised.group(1)))
        # what happened, without what the suite did next
        clause = first_clause(kept[-1], room) or first_clause(dropped[-1], room)
        return clause if clause is not None else cut(kept[-1], room)
    forms = shorter(problem)
    for form in forms:
        if len(form) + 2 + len(fact) <= room:
            return f"{form}: {fact}"
    left = room - 2 - len(fact)
    if left >= MIN_PROBLEM:
        return f"{cut(forms[-1], left)}: {fact}"
    return cut(f"{forms[-1]}: {fact}", room)


#: Where a statement's first clause ends: what happened, before how the suite handled it.
_CLAUSE_END = re.compile(r", and |; |\. ")


def first_clause(text: str, room: int) -> str | None:
    """The longest run of ``text``'s leading clauses that fits ``room`` with `` ...`` (``hung: a call
    into the target did not return within 25 s ...``), or None when not even the first fits."""
    ends = [m.start() for m in _CLAUSE_END.finditer(text) if m.start() + len(" ...") <= room]
    return text[:ends[-1]] + " ..." if ends and ends[0] >= MIN_PROBLEM else None


def line(prefix: str, problem: str, fact: str = "", width: int = WIDTH) -> str:
    """``prefix`` (``"  relu.forward[float32]: "``) and ``body``, at most ``width`` characters."""
    return prefix + body(problem, fact, max(width - len(prefix), MIN_PROBLEM))

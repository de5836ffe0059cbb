"""A failure's full text (``-v``) within the terminal's width, its content whole: prose lines (what
is wrong) wrapped between words, the snippet's code lines (under ``Reproduce:``) broken after a
comma inside brackets, where Python allows it, so the snippet still pastes and runs (a trailing
comment goes on its own line above its code), the example's lines (under ``Example:``) broken as
code where that fits them, else as prose. What cannot be broken so (a long string
literal, a word longer than the width) stays as it is."""

from __future__ import annotations

import io
import itertools
import textwrap
import tokenize

WIDTH = 100
#: Continuation lines are indented this much more than the line they continue.
HANG = 4
EXAMPLE, REPRODUCE = "Example:", "Reproduce:"


def wrap_failure(text: str, width: int = WIDTH) -> str:
    """``text`` (``CheckFailure``'s layout: ``Reproduce:`` heads an indented snippet) with each line
    over ``width`` wrapped as prose or as code."""
    out: list[str] = []
    section: tuple[str, int] | None = None  # ``Example:`` or ``Reproduce:``, and its header's indent
    for line in text.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        if section is not None and (not line.strip() or indent > section[1]):
            if section[0] == REPRODUCE:
                out += wrap_code(line, width)
            else:  # the example's ``name = value`` lines: as code where that fits, else as prose
                wrapped = wrap_code(line, width)
                out += wrapped if max(map(len, wrapped)) <= width else wrap_prose(line, width)
            continue
        section = (line.strip(), indent) if line.strip() in (EXAMPLE, REPRODUCE) else None
        out += wrap_prose(line, width)
    return "\n".join(out)


def wrap_prose(line: str, width: int = WIDTH) -> list[str]:
    """``line`` in lines of at most ``width`` (where its words allow), continuations hanging."""
    if len(line) <= width:
        return [line]
    indent = line[: len(line) - len(line.lstrip(" "))]
    return textwrap.wrap(line.strip(), width, initial_indent=indent, subsequent_indent=indent + " " * HANG,
                         break_long_words=False, break_on_hyphens=False) or [line]


def wrap_code(line: str, width: int = WIDTH) -> list[str]:
    """One line of Python in lines of at most ``width`` where it can be: its trailing comment on a
    line of its own above it, then broken after commas inside brackets (never inside a string)."""
    if len(line) <= width:
        return [line]
    indent = line[: len(line) - len(line.lstrip(" "))]
    code = line.strip()
    tokens = _tokens(code)
    if tokens is None:
        return [line]
    comment = next((t for t in tokens if t.type == tokenize.COMMENT), None)
    if comment is not None:
        body = code[: comment.start[1]].rstrip()
        notes = textwrap.wrap(comment.string.lstrip("#").strip(), width - len(indent) - 2,
                              break_long_words=False, break_on_hyphens=False)
        return [f"{indent}# {note}" for note in notes] + wrap_code(indent + body, width)
    lines = [line]
    for depth in range(1, 1 + max((d for d, _ in _commas(tokens)), default=0)):  # outer brackets first
        lines = _fill(_pieces(code, tokens, depth), indent, width)
        if max(map(len, lines)) <= width:
            break
    return lines


def _fill(pieces: list[str], indent: str, width: int) -> list[str]:
    """``pieces`` joined by spaces into lines of at most ``width`` where they allow."""
    lines, current, prefix = [], pieces[0], indent
    for piece in pieces[1:]:
        if len(prefix) + len(current) + 1 + len(piece) > width:
            lines.append(prefix + current)
            current, prefix = piece, indent + " " * HANG
        else:
            current += " " + piece
    return lines + [prefix + current]


def _tokens(code: str) -> list[tokenize.TokenInfo] | None:
    """The tokens of one whole line of Python, or None (it is not one: an unclosed bracket...)."""
    try:
        return list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None


def _pieces(code: str, tokens: list[tokenize.TokenInfo], depth: int) -> list[str]:
    """``code`` split after each comma inside at most ``depth`` brackets, each piece stripped."""
    cuts = [column for d, column in _commas(tokens) if d <= depth]
    bounds = [0, *cuts, len(code)]
    return [code[a:b].strip() for a, b in itertools.pairwise(bounds) if code[a:b].strip()]


def _commas(tokens: list[tokenize.TokenInfo]) -> list[tuple[int, int]]:
    """(bracket depth, column after it) of each comma inside brackets and outside f-strings."""
    depth, in_fstring, commas = 0, 0, []
    for token in tokens:
        name = tokenize.tok_name.get(token.type, "")
        if name == "FSTRING_START":
            in_fstring += 1
        elif name == "FSTRING_END":
            in_fstring -= 1
        elif token.type == tokenize.OP and not in_fstring:
            if token.string in "([{":
                depth += 1
            elif token.string in ")]}":
                depth -= 1
            elif token.string == "," and depth > 0:
                commas.append((depth, token.end[1]))
    return commas

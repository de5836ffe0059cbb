"""The header every front-end prints before any check runs: the target as the user named it, the
suite and library versions, the profile, and the seed with how to replay it."""

from __future__ import annotations

from importlib import metadata as distributions
from typing import TYPE_CHECKING

from conformance import __version__
from conformance.reports.metadata import replay_hint

if TYPE_CHECKING:
    from conformance.loading.target import Target


def installed(name: str) -> str:
    """A distribution's version, read without importing it (the xdist controller imports no torch)."""
    try:
        return distributions.version(name)
    except distributions.PackageNotFoundError:
        return "not installed"


def provides(names: list[str]) -> str:
    """``provides Linear, ReLU`` (or ``provides all 13 contract names``)."""
    from conformance.loading.target import contract_names

    if len(names) == len(contract_names()):
        return f"provides all {len(names)} contract names"
    return f"provides {', '.join(names)}"


def header_lines(target: str, where: str, *, profile: str | None, max_examples: int | None, device: str,
                 seed: int | str | None, replay: str, unseeded: str | None = None) -> list[str]:
    """Three lines: ``target`` as given and ``where`` it is (file, what it provides), versions and
    settings, and the seed with ``replay``, the way to draw the same examples again (no seed: the
    profile is derandomized, or ``unseeded`` says why there is none)."""
    examples = f" ({max_examples} examples per check)" if max_examples else ""
    seed_text = f"none ({unseeded or replay_hint(None)})" if seed is None else str(seed)
    lines = [
        f"conformance {__version__}: target {target!r} ({where})",
        f"conformance: torch {installed('torch')}, numpy {installed('numpy')}, hypothesis {installed('hypothesis')}, "
        f"profile {profile!r}{examples}, device {device}",
        f"conformance: hypothesis seed {seed_text}",
    ]
    if seed is not None:
        lines[-1] += f" (replay: {replay})"
    return [part for line in lines for part in fold(line)]


#: The width every line the suite prints keeps to.
WIDTH = 100
CONTINUED = "conformance:   "


def fold(line: str, width: int = WIDTH) -> list[str]:
    """``line`` within ``width`` columns: broken after the last ", " or "; " (or " (") that fits, the
    rest continued on lines of their own; a part with no such break is left whole."""
    out: list[str] = []
    while len(line) > width:
        cut = max(line.rfind(", ", 0, width - 1), line.rfind("; ", 0, width - 1))
        if cut <= len(CONTINUED):
            opening = line.rfind(" (", len(CONTINUED) + 1, width - 1)
            cut = opening + 1 if opening > 0 else -1
        cut += 1
        if cut <= len(CONTINUED):
            break
        out.append(line[:cut].rstrip())
        line = CONTINUED + line[cut:].lstrip()
    return out + [line]


def target_where(target: "Target") -> str:
    """Where a loaded target is and what it provides, as the header says it."""
    return f"{shown_path(target.file)}; {provides(target.provided)}"


def shown_path(path: "str | None") -> str:
    """A file as the header shows it: relative to the working directory when inside it."""
    import os

    if not path:
        return "no file"
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive
        return path
    return path if relative.startswith("..") else relative


def unfold(lines: list[str]) -> list[str]:
    """``fold``'s inverse: each continued line joined to the line it continues."""
    out: list[str] = []
    for line in lines:
        if line.startswith(CONTINUED) and out:
            rest = line[len(CONTINUED):]
            out[-1] += rest if out[-1].endswith("(") else " " + rest
        else:
            out.append(line)
    return out

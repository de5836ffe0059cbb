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
    from conformance.loading.target import CONTRACT_NAMES

    if len(names) == len(CONTRACT_NAMES):
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
    return lines


def target_where(target: "Target") -> str:
    """Where a loaded target is and what it provides, as the header says it."""
    return f"{target.file or 'no file'}; {provides(target.provided)}"

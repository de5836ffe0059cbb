"""Hypothesis profiles: ``ci`` (fast, derandomized, no example database; chosen when ``CI`` is set),
``dev`` (the default), ``thorough`` (nightly)."""

from __future__ import annotations

import os
from typing import Any

from hypothesis import Phase, settings

#: Every phase but ``explain``: it re-runs hundreds of variants of a failing example to annotate
#: which parts did not matter, which costs 10-20 s per failing check and adds little to our own
#: example description and reproduction snippet.
PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink)

PROFILES: dict[str, dict[str, Any]] = {
    "ci": dict(max_examples=20, derandomize=True, database=None, print_blob=True),
    "dev": dict(max_examples=60, print_blob=True),
    "thorough": dict(max_examples=1000, print_blob=True),
}


def register() -> None:
    for name, kwargs in PROFILES.items():
        settings.register_profile(name, deadline=None, phases=PHASES, **kwargs)


def default_profile() -> str:
    return "ci" if os.environ.get("CI") else "dev"


def current_profile() -> str | None:
    """The name of Hypothesis's current settings profile."""
    getter = getattr(settings, "get_current_profile_name", None)  # public in newer Hypothesis
    if getter is not None:
        return getter()
    return getattr(settings, "_current_profile", None)  # older releases (6.100): what their pytest plugin reads

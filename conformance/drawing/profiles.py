"""Hypothesis profiles: ``ci`` (fast, derandomized, no example database; chosen when ``CI`` is set),
``dev`` (the default), ``thorough`` (nightly). ``stateful_step_count``: the operations in one life of
a block (the lifecycle checks, ``checks/lifecycle.py``, run ``max_examples // 4`` lives).

Hypothesis is imported only by ``register`` (and ``describe`` for a profile not in the table): the
pytest-xdist controller, which runs no check, never needs it (it knows our profiles from this table).
"""

from __future__ import annotations

import os
from typing import Any

#: Settings of each profile. Every phase but ``explain`` (see ``register``).
PROFILES: dict[str, dict[str, Any]] = {
    "ci": dict(max_examples=20, derandomize=True, database=None, print_blob=True, stateful_step_count=10),
    "dev": dict(max_examples=60, print_blob=True, stateful_step_count=30),
    "thorough": dict(max_examples=1000, print_blob=True, stateful_step_count=50),
}


def register() -> None:
    """Register the profiles with Hypothesis. They skip the ``explain`` phase: it re-runs hundreds of
    variants of a failing example to annotate which parts did not matter, which costs 10-20 s per
    failing check and adds little to our own example description and reproduction snippet.

    Each profile derives from Hypothesis's ``default`` profile, not from whatever is loaded now:
    re-registering the loaded profile reloads it, and a profile derived from the loaded one would
    nest one level deeper at every run (a process running a thousand checks then cannot pickle its
    settings). Registering again is a no-op."""
    from hypothesis import Phase, settings

    phases = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink)
    base = settings.get_profile("default")
    for name, kwargs in PROFILES.items():
        if name in _REGISTERED:
            continue
        settings.register_profile(name, parent=base, deadline=None, phases=phases, **kwargs)
        _REGISTERED.add(name)


#: The profiles this process has registered (``register`` registers each once).
_REGISTERED: set[str] = set()


def default_profile() -> str:
    return "ci" if os.environ.get("CI") else "dev"


def describe(name: str) -> tuple[str, int | None, bool]:
    """(name, max_examples, derandomize) of the profile ``name``: ours from the table above (so the
    xdist controller need not import Hypothesis), another from Hypothesis's registry."""
    if name in PROFILES:
        table = PROFILES[name]
        return name, table["max_examples"], bool(table.get("derandomize", False))
    from hypothesis import settings

    chosen = settings.get_profile(name)
    return name, chosen.max_examples, chosen.derandomize

"""Check-id patterns: a check id in which ``*`` stands for any run of characters."""

from __future__ import annotations

import re


def matches(pattern: str, check_id: str) -> bool:
    """``linear.*``, ``*.gradient[float64]``; every character but ``*``, brackets included, is literal."""
    return re.fullmatch(".*".join(map(re.escape, pattern.split("*"))), check_id) is not None

"""What a failing check shows under pytest by default: its conformance failure (what is wrong, the
example, the snippet, Hypothesis's notes), not pytest's traceback through the suite's own frames.
``--full-trace``, ``-v`` or an explicit ``--tb`` style other than auto/long/short show pytest's."""

from __future__ import annotations

import os
import traceback

import pytest

from .failures import CheckFailure
from .timeouts import TargetTimeout

_SUITE = os.path.dirname(os.path.abspath(__file__))
HINT = "(pytest's full traceback: --full-trace or -v)"


def wants_brief(config: pytest.Config) -> bool:
    """Brief unless the user asked for tracebacks: ``--full-trace``, ``-v``, ``--tb=native|line|no``."""
    verbose = config.getoption("verbose", 0) or 0
    cli = config.getoption("conformance_cli", False)
    return (not config.getoption("fulltrace", False) and verbose <= (-1 if cli else 0)
            and config.getoption("tbstyle", "auto") in ("auto", "long", "short"))


def _user_frame(exc: BaseException) -> str:
    """Where the innermost frame outside the suite (and Hypothesis, pytest) raised: the user's code."""
    frames = traceback.extract_tb(exc.__traceback__)
    outside = [f for f in frames if not f.filename.startswith(_SUITE)
               and f"{os.sep}site-packages{os.sep}" not in f.filename]
    if not outside:
        return ""
    last = outside[-1]
    return f"\n  raised at {last.filename}:{last.lineno}, in {last.name}" + (f": {last.line}" if last.line else "")


def brief(exc: BaseException) -> str:
    """The failure as the suite words it: a ``CheckFailure``'s message (reason, example, snippet),
    else the exception and where the user's code raised it. Hypothesis's notes (its draw, and a
    ``@reproduce_failure`` for the suite's own test function) are left to ``--report`` and ``-v``:
    the example and the snippet say the same for the user's block."""
    if isinstance(exc, (CheckFailure, TargetTimeout)) or isinstance(getattr(exc, "failure", None), CheckFailure):
        text = str(exc)  # a timeout's text is the failure it carries
    else:
        text = f"{type(exc).__name__}: {exc}{_user_frame(exc)}"
    return "\n".join([text.rstrip(), HINT])

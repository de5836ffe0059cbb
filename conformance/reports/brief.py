"""How much a failing check shows on the terminal. By default one line per failing check (its id,
what is wrong and the decisive fact, in 100 columns, in the list after the matrix: see
``conformance.reports.oneline``): pytest's FAILURES section and
the failures of its short summary are left out of a run of the suite. ``-v`` shows each failure
in full as the suite words it (what is wrong, the example, the snippet); ``-vv``, ``--full-trace``
or a ``--tb`` style other than auto/long/short show pytest's traceback. The reports (``--report``,
``--report-md``) always hold the full texts. The CLI runs pytest with ``-q``: its levels are
counted from there."""

from __future__ import annotations

import os
import traceback

import pytest

from conformance.core.failures import CheckFailure
from conformance.reports.wrap import wrap_failure
from conformance.sandbox.timeouts import TargetTimeout

_SUITE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HINT = "(pytest's full traceback: -vv or --full-trace)"
#: Said after the one-line list of failures, on the terminal only.
ONE_LINE_HINT = "each failure in full, with its example and a snippet: -v, or --report out.json / --report-md out.md"
ONE_LINE_KEY = pytest.StashKey[bool]()


def verbosity(config: pytest.Config) -> int:
    """``-v`` counted from the front-end's default (0 for pytest and the CLI alike)."""
    verbose = config.getoption("verbose", 0) or 0
    return verbose + (1 if config.getoption("conformance_cli", False) else 0)


def wants_brief(config: pytest.Config) -> bool:
    """A failure's text as the suite words it, not pytest's traceback: unless ``--full-trace``,
    ``-vv`` or ``--tb=native|line``."""
    return (not config.getoption("fulltrace", False) and verbosity(config) <= 1
            and config.getoption("tbstyle", "auto") in ("auto", "long", "short", "no"))


def use_one_line(config: pytest.Config) -> None:
    """In a run of the suite given neither ``-v`` nor a ``--tb`` style nor ``--full-trace``: leave
    out pytest's FAILURES section (``--tb=no``). In every run of the suite, unless ``-r`` was given,
    leave out the failures of pytest's short summary (the matrix's list has them, one line each), so
    the matrix and that list end the output. Call in
    ``pytest_configure`` of the process that reports (the xdist workers inherit the options)."""
    option = config.option
    one_line = (not getattr(option, "fulltrace", False) and verbosity(config) <= 0
                and getattr(option, "tbstyle", "auto") == "auto")
    config.stash[ONE_LINE_KEY] = one_line
    if one_line:
        option.tbstyle = "no"
    if getattr(option, "reportchars", None) == "fE":  # pytest's default: the matrix's list has the failures
        option.reportchars = "E"


def one_line(config: pytest.Config) -> bool:
    """This run shows one line per failing check (``use_one_line``)."""
    return config.stash.get(ONE_LINE_KEY, False)


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
    """The failure as the suite words it: a ``CheckFailure``'s message (reason, example, snippet,
    and any other distinct failure of the check), else the exception and where the user's code
    raised it. Hypothesis's notes (its draw, and a ``@reproduce_failure`` for the suite's own test
    function) are left to ``--report`` and ``-vv``: the example and the snippet say the same for the
    user's block. The suite's text is wrapped to 100 columns (``conformance.reports.wrap``), the
    snippet still runnable."""
    if isinstance(exc, (CheckFailure, TargetTimeout)) or isinstance(getattr(exc, "failure", None), CheckFailure):
        text = wrap_failure(str(exc).rstrip())  # a timeout's text is the failure it carries
    else:
        text = f"{type(exc).__name__}: {exc}{_user_frame(exc)}"
    return "\n".join([text.rstrip(), HINT])

"""Whose exception is it? An exception raised while a check runs is either the target's finding
(framed as "forward raised AssertionError: ..." with the example and a snippet) or a bug of the
suite's own code (never shown as a verdict on the target). The suite's own failures are
``CheckFailure``s; any other exception, ``AssertionError`` included, is judged by where it was raised."""

from __future__ import annotations

import os
import traceback

from conformance.core.failures import CheckFailure, failure

_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: The suite's own code: this package (but not its built-in targets) and the reference.
SUITE_DIRS = (_HERE + os.sep, os.path.join(os.path.dirname(_HERE), "reference") + os.sep)
TARGETS_DIR = os.path.join(_HERE, "targets") + os.sep
#: Packages whose frames are neither the suite's nor the target's: the suite calls through them.
_TOOLS = ("torch", "numpy", "hypothesis", "_pytest", "pytest", "pluggy", "xdist", "execnet", "scipy")
_STDLIB = os.path.dirname(os.__file__) + os.sep


class SuiteError(Exception):
    """The suite's own code raised while checking a target: a bug of the suite, not a finding about
    the target (the run is red, and the message says so)."""


def is_suite_file(filename: str) -> bool:
    path = os.path.abspath(filename)
    return path.startswith(SUITE_DIRS) and not path.startswith(TARGETS_DIR)


def _is_tool(filename: str) -> bool:
    path = os.path.abspath(filename)
    if path.startswith(_STDLIB) and f"{os.sep}site-packages{os.sep}" not in path:
        return True
    return filename.startswith("<frozen") or any(f"{os.sep}{name}{os.sep}" in path for name in _TOOLS)


def raised_by_suite(exc: BaseException) -> bool:
    """``exc`` was raised in the suite's own code (the innermost frame: where an ``assert`` fails)."""
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and is_suite_file(frames[-1].filename)


def is_suite_assertion(exc: BaseException) -> bool:
    """A failure signal of the suite itself: a ``CheckFailure``, or an ``assert`` in the suite's own
    code. A target's own ``AssertionError`` is neither: it is framed like any other exception."""
    return isinstance(exc, CheckFailure) or (isinstance(exc, AssertionError) and raised_by_suite(exc))


def target_frame(exc: BaseException) -> traceback.FrameSummary | None:
    """The innermost frame of ``exc``'s traceback in neither the suite nor the tools it calls through
    (torch, numpy, Hypothesis, pytest, the standard library): the target's code (or its library's)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not is_suite_file(f.filename) and not _is_tool(f.filename)]
    return frames[-1] if frames else None


def _at(frame: traceback.FrameSummary | None) -> str:
    return "an unknown place" if frame is None else f"{frame.filename}:{frame.lineno}, in {frame.name}"


def unguarded(check_id: str, exc: Exception) -> Exception:
    """What an exception that escaped a check (not a ``CheckFailure``) is reported as: the target's
    failure when the target's code raised it (a call the suite should have guarded), else a
    ``SuiteError`` that says it is the suite's bug. Hypothesis's notes are kept."""
    text = f"{type(exc).__name__}: {exc}"
    frame = target_frame(exc)
    if frame is None or raised_by_suite(exc):
        last = traceback.extract_tb(exc.__traceback__)
        out: Exception = SuiteError(
            f"{check_id}: the suite's own code raised {text} (at {_at(last[-1] if last else None)}): a bug "
            "of the suite, not a finding about the target; please report it with this message")
    else:
        out = failure(check_id, f"the target raised {text}", f"raised at {_at(frame)}")
    for note in getattr(exc, "__notes__", []):
        out.add_note(note)
    return out

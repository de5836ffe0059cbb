"""Usage errors: the user's own mistakes (a typo in a check id, a missing directory, a target that
cannot be used). The command line reports them in one line with exit status 4; the Python API raises
them, with messages in its own terms (``run(target='x')`` rather than ``--impl 'x'``)."""

from __future__ import annotations


class UsageError(ValueError):
    """A mistake in how the suite was asked to run; nothing was checked."""


#: How a front-end names a value the user gave, in messages: ``{}`` is the value's repr.
CLI_TARGET, CLI_EXPECTED = "--impl {}", "--expected {}"


def api_label(function: str, parameter: str) -> str:
    """The label of ``parameter`` of the Python API's ``function``: ``run(target={})``."""
    return f"{function}({parameter}={{}})"


#: Prefix of the reason of every check of a target that could not be loaded (a batch run's child
#: says it; the combined report counts such targets apart).
LOAD_ERROR = "the target could not be loaded: "

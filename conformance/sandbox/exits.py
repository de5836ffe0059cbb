"""A check's process is not the target's to end: while a check runs, ``os._exit`` raises
``TargetExit`` instead of ending the process, so the call into the target that made it fails with
that reason (``sys.exit`` raises ``SystemExit``, which the per-call guard turns into a failure the
same way). An ``exit()`` from C cannot be intercepted: under the CLI and pytest-xdist the crashed
worker is reported against the check; a serial pytest run says so in the README."""

from __future__ import annotations

import contextlib
import os
from typing import Iterator


class TargetExit(Exception):
    """The target called ``os._exit`` during a check."""

    def __init__(self, status: object) -> None:
        super().__init__(f"the target tried to end the process with status {status!r} (os._exit({status!r}))")
        self.status = status


def _refuse(status: object = 0) -> None:
    raise TargetExit(status)


@contextlib.contextmanager
def refuse_exit() -> Iterator[None]:
    """``os._exit`` raises ``TargetExit`` for the duration (restored after)."""
    before = os._exit
    os._exit = _refuse  # type: ignore[assignment]
    try:
        yield
    finally:
        os._exit = before  # type: ignore[assignment]

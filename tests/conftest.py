"""Fixtures of the self-tests: ``shared_run``, a run of the suite that several tests assert on, made
once per session whichever pytest-xdist worker runs them."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any, Callable

import pytest


@pytest.fixture(scope="session")
def shared_run(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, Callable[[Path], Any]], Any]:
    """``shared_run(name, make)``: ``make(folder)``'s result (JSON: a run's status, output and report),
    made by the first test of the session that asks for ``name`` and read by the others, on any
    xdist worker (they wait for it under a file lock: the workers' temporary folders share a parent,
    the session's). A module-scoped fixture would be made again on each worker its tests went to."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent

    def get(name: str, make: Callable[[Path], Any]) -> Any:
        done = root / f"shared_{name}.json"
        with open(root / f"shared_{name}.lock", "w") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # released when the file closes
            if not done.exists():
                folder = root / f"shared_{name}"
                folder.mkdir(exist_ok=True)
                done.write_text(json.dumps(make(folder)))
        return json.loads(done.read_text())

    return get

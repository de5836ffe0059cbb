"""The self-tests start some 150 interpreters (the CLI, ``pytest conformance``, its xdist workers,
isolated children), each importing the suite's ~100 modules and Hypothesis' (which pytest rewrites,
as a plugin's package). Where the environment sets ``PYTHONDONTWRITEBYTECODE`` (to keep ``.pyc``
files out of source trees), each of them compiled every module from source again: ~0.7 s of CPU per
interpreter. Here their bytecode goes to one cache outside the trees (``PYTHONPYCACHEPREFIX``, which
pytest's rewritten modules honour too), written once and read by every later interpreter. Loaded
before pytest-xdist starts its workers, so they and every process the tests start inherit it; what
any process runs is unchanged (a cached module is used only while its source is unchanged).

``shared_result``: what several tests on different xdist workers assert on, made once per session."""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from typing import Any, Callable

import pytest

if os.environ.get("PYTHONDONTWRITEBYTECODE") and not os.environ.get("PYTHONPYCACHEPREFIX"):
    user = os.getuid() if hasattr(os, "getuid") else "user"
    del os.environ["PYTHONDONTWRITEBYTECODE"]
    os.environ["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), f"nn-conformance-pycache-{user}")


@pytest.fixture(scope="session")
def shared_result(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, Callable[[], Any]], Any]:
    """``shared_result(name, make)``: ``make()``'s result (JSON), made by the first test of the session
    that asks for ``name`` and read by the others, on any xdist worker (they wait for it under a file
    lock: the workers' temporary folders share a parent, the session's). A module-scoped fixture is
    made again on each worker its module's tests went to. Only for what does not depend on timing or
    on the process that makes it (a seeded in-process run's verdicts)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent

    def get(name: str, make: Callable[[], Any]) -> Any:
        done = root / f"shared_{name}.json"
        with open(root / f"shared_{name}.lock", "w") as lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # released when the file closes
            if not done.exists():
                done.write_text(json.dumps(make()))
        return json.loads(done.read_text())

    return get

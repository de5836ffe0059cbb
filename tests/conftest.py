"""The self-tests start some 150 interpreters (the CLI, ``pytest conformance``, its xdist workers,
isolated children), each importing the suite's ~100 modules and Hypothesis' (which pytest rewrites,
as a plugin's package). Where the environment sets ``PYTHONDONTWRITEBYTECODE`` (to keep ``.pyc``
files out of source trees), each of them compiled every module from source again: ~0.7 s of CPU per
interpreter. Here their bytecode goes to one cache outside the trees (``PYTHONPYCACHEPREFIX``, which
pytest's rewritten modules honour too), written once and read by every later interpreter. Loaded
before pytest-xdist starts its workers, so they and every process the tests start inherit it; what
any process runs is unchanged (a cached module is used only while its source is unchanged)."""

from __future__ import annotations

import os
import tempfile

if os.environ.get("PYTHONDONTWRITEBYTECODE") and not os.environ.get("PYTHONPYCACHEPREFIX"):
    user = os.getuid() if hasattr(os, "getuid") else "user"
    del os.environ["PYTHONDONTWRITEBYTECODE"]
    os.environ["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), f"nn-conformance-pycache-{user}")

"""Per-call time limits, so that a hanging implementation fails its check instead of the run."""

from __future__ import annotations

import atexit
import contextlib
import faulthandler
import functools
import os
import signal
import tempfile
import threading
import time
from typing import IO, Any, Iterator


class TargetTimeout(BaseException):
    """A call into the implementation under test ran past its limit.

    A ``BaseException`` on purpose: Hypothesis then stops at once instead of shrinking (which would
    call the hanging code again), and the check reports the example that hung.
    """


RETRY_INTERVAL_S = 0.05

#: Default limit, in seconds, on each call into the implementation under test.
DEFAULT_CALL_TIMEOUT_S = 10.0
#: Default address-space limit of a process that runs checks apart (xdist worker, isolated run), GiB.
DEFAULT_MEMORY_LIMIT_GIB = 8.0


@contextlib.contextmanager
def time_limit(seconds: float | None, what: str) -> Iterator[None]:
    """Raise ``TargetTimeout`` in this thread if the body runs longer than ``seconds``.

    Uses ``SIGALRM``, so it interrupts Python-level loops; it needs the main thread of a POSIX
    process and is a no-op elsewhere (or when ``seconds`` is falsy). An outer timer (pytest-timeout's
    signal method, an enclosing limit) is honoured: if it fires first it keeps its handler, otherwise
    it is re-armed, minus the time spent, when the body ends.
    """
    if not seconds or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return
    outer_remaining = signal.getitimer(signal.ITIMER_REAL)[0]
    if outer_remaining and outer_remaining <= seconds:
        yield
        return

    def on_alarm(signum, frame):
        elapsed = time.monotonic() - start
        kind = warm["up"] or warming_up(frame)
        if elapsed < WARMUP_TIMEOUT_S and kind:
            if not warm["up"]:  # a call compiling or importing at its limit: warm-up, not a hang (its own allowance)
                warm["up"] = kind
                if watched:
                    _rearm_watchdog(WARMUP_TIMEOUT_S - elapsed)
            return
        if warm["up"]:
            raise TargetTimeout(f"{what} did not return within {elapsed:.3g} s: it was {warm['up']} at the per-call "
                                f"limit of {seconds:g} s (--check-timeout), and ran past the warm-up allowance of "
                                f"{WARMUP_TIMEOUT_S:g} s for a call that compiles or imports")
        raise TargetTimeout(f"{what} did not return within {seconds:g} s (the per-call limit: --check-timeout, or "
                            f"call_timeout= in conformance.run; a call that is compiling or importing a module gets "
                            f"up to {WARMUP_TIMEOUT_S:g} s)")

    start = time.monotonic()
    warm: dict[str, str | None] = {"up": None}
    watched = _arm_watchdog(seconds)
    previous = signal.signal(signal.SIGALRM, on_alarm)
    # Keep firing every 50 ms after the limit: a raise that lands in a callback Python ignores
    # (a gc callback prints "Exception ignored") would otherwise be lost and the body hang forever.
    signal.setitimer(signal.ITIMER_REAL, seconds, RETRY_INTERVAL_S)
    try:
        yield
        if warm["up"]:
            WARMUPS.append((what, time.monotonic() - start, warm["up"]))
    finally:
        if watched:
            _disarm_watchdog()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_remaining:
            signal.setitimer(signal.ITIMER_REAL, max(outer_remaining - (time.monotonic() - start), 1e-3))


#: How long a call may take while it is compiling (torch.compile's dynamo and inductor, TorchScript,
#: AOTAutograd) or importing a module: the first call of a compiled block, each recompilation, and a
#: library imported on first use are warm-up, not a hang. ``CONFORMANCE_WARMUP_TIMEOUT`` overrides.
WARMUP_TIMEOUT_S = float(os.environ.get("CONFORMANCE_WARMUP_TIMEOUT", "120"))
#: Modules whose frames on the stack mean the call is compiling, and functions of other modules
#: (``torch.compile`` itself, which imports the compiler on its first call).
COMPILER_MODULES = ("torch._dynamo", "torch._inductor", "torch._functorch", "torch.jit", "torch._export",
                    "torch.fx", "torch._subclasses")
COMPILER_FUNCTIONS = {("torch", "compile")}
#: The import machinery: its frames on the stack mean a module is being loaded. Interrupting a load
#: would leave the module half initialised for every later call of the process.
IMPORT_MODULES = ("importlib._bootstrap",)
#: (what, seconds, "compiling" or "importing a module") of the calls that ran past their limit while
#: warming up, and finished (for notes).
WARMUPS: list[tuple[str, float, str]] = []


def warming_up(frame: Any) -> str | None:
    """Whether the interrupted call is warming up: walking out from the innermost frame through
    library code only (the standard library, site-packages, and code such libraries generate with
    ``exec``, whose file name reads ``<string>``), a frame of torch's compilers (``COMPILER_MODULES``:
    "compiling", also where it imports) or of the import machinery ("importing a module") comes first. A compiled graph
    running (inductor's generated code) or the target's own loop stops the walk: that is running,
    not warming up."""
    depth, found = 0, None
    while frame is not None and depth < 400:
        name = frame.f_globals.get("__name__", "")
        if isinstance(name, str):
            if name.startswith(COMPILER_MODULES) or (name, frame.f_code.co_name) in COMPILER_FUNCTIONS:
                return "compiling"  # (an import the compiler runs is compiling)
            if name.startswith(IMPORT_MODULES):
                found = "importing a module"
        if not frame.f_code.co_filename.startswith(_library_paths()):
            return found
        frame, depth = frame.f_back, depth + 1
    return found


@functools.lru_cache(maxsize=1)
def _library_paths() -> tuple[str, ...]:
    import sysconfig

    paths = sysconfig.get_paths()
    return tuple({paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}) + ("<",)


_WARMED_UP = False


def warm_up() -> None:
    """Run one backward with an explicit gradient outside any time limit: torch imports sympy and
    torch.fx lazily on the first one, and a limit firing during that import would leave them half
    loaded, breaking every later backward in the process."""
    global _WARMED_UP
    if not _WARMED_UP:
        import torch

        x = torch.ones(2, requires_grad=True)
        (x * 2).backward(torch.ones(2))
        _WARMED_UP = True


# -- the watchdog: for a call that SIGALRM cannot interrupt ----------------------------------------
#: A call still running this long after its limit, although SIGALRM fired every 50 ms since, cannot
#: be interrupted from inside (signals blocked, a loop in C that never returns to Python): the
#: watchdog ends the process. Limit x WATCHDOG_FACTOR + WATCHDOG_GRACE_S (``CONFORMANCE_WATCHDOG_GRACE``
#: overrides the grace; the suite's self-tests shorten it where they wait for the watchdog on purpose).
WATCHDOG_FACTOR = 2.0
WATCHDOG_GRACE_S = float(os.environ.get("CONFORMANCE_WATCHDOG_GRACE", "5"))
_WATCHDOG: dict = {"file": None, "depth": 0}


def watchdog_path(pid: int) -> str:
    """Where the watchdog of process ``pid`` writes the hung call's traceback before ending it (the
    xdist controller reads it to report a hang, not a crash)."""
    return os.path.join(tempfile.gettempdir(), f"conformance-watchdog-{pid}.txt")


def enable_watchdog(file: "IO[str] | None" = None) -> None:
    """Arm a watchdog around every outermost ``time_limit`` in this process: ``faulthandler``'s
    timer thread, which needs neither signals nor the GIL, dumps every thread's traceback into
    ``file`` (default: ``watchdog_path(os.getpid())``) and ends the process with status 1 when a
    call overruns its limit x WATCHDOG_FACTOR + WATCHDOG_GRACE_S. For a process whose end is
    reported as that check's failure (an xdist worker) or must at least end (serial pytest)."""
    if _WATCHDOG["file"] is None:
        if file is None:
            path = watchdog_path(os.getpid())
            file = open(path, "w")  # noqa: SIM115 - open until exit
            atexit.register(_remove, file, path)  # a process that ends normally leaves no file behind
        _WATCHDOG["file"] = file


def _remove(file: IO[str], path: str) -> None:
    faulthandler.cancel_dump_traceback_later()
    file.close()
    with contextlib.suppress(OSError):
        os.unlink(path)


def watchdog_limit(seconds: float) -> float:
    return seconds * WATCHDOG_FACTOR + WATCHDOG_GRACE_S


def _arm_watchdog(seconds: float) -> bool:
    if _WATCHDOG["file"] is None:
        return False
    _WATCHDOG["depth"] += 1
    if _WATCHDOG["depth"] == 1:
        faulthandler.dump_traceback_later(watchdog_limit(seconds), exit=True, file=_WATCHDOG["file"])
    return True


def _rearm_watchdog(seconds: float) -> None:
    """Give the running outermost call ``seconds`` more before the watchdog ends the process."""
    if _WATCHDOG["file"] is not None and _WATCHDOG["depth"] >= 1:
        faulthandler.dump_traceback_later(watchdog_limit(seconds), exit=True, file=_WATCHDOG["file"])


def _disarm_watchdog() -> None:
    _WATCHDOG["depth"] -= 1
    if _WATCHDOG["depth"] == 0:
        faulthandler.cancel_dump_traceback_later()


def limit_memory(gib: float | None) -> None:
    """Cap this process's address space at ``gib`` GiB (a worker's: never the user's own process):
    an allocation beyond it raises (MemoryError, or torch's RuntimeError) in the check that made it."""
    if not gib or gib <= 0:
        return
    try:
        import resource
    except ImportError:  # not POSIX
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = int(gib * 2**30)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft == resource.RLIM_INFINITY or limit < soft:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def crash_reason(check_id: str, popen: Any, call_timeout: float, rest: str) -> str:
    """Why the process ``popen`` (a ``subprocess.Popen``, or None) running ``check_id`` ended before
    the check did: the watchdog ending a hang (its traceback file), the target ending the process
    (status 0 too), or a signal. ``rest``: what happened to the other checks."""
    code: int | None = None
    hang = ""
    if popen is not None:
        try:
            code = popen.wait(timeout=10)
        except Exception:  # noqa: BLE001 - still running, or not a process we can wait for
            code = None
        path = watchdog_path(popen.pid)
        try:
            with open(path) as fh:
                hang = fh.read()
            os.unlink(path)
        except OSError:
            hang = ""
    if hang.strip():
        lines = hang.strip().splitlines()
        first = next((i for i, line in enumerate(lines) if "most recent call first" in line), -1)
        where = "\n".join(lines[first + 1:first + 9])  # the hung thread's innermost frames
        return (f"hung: a call into the target did not return within {watchdog_limit(call_timeout):g} s, and "
                f"the per-call time limit ({call_timeout:g} s, SIGALRM) could not stop it (signals blocked, or a "
                f"loop in C code); the watchdog ended the process{rest}. Where it was:\n{where}")
    if code is None:
        return f"the process running `{check_id}` ended before the check finished{rest}"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        extra = " (by the target itself, or by the kernel's out-of-memory killer)" if name == "SIGKILL" else ""
        return f"the process was killed by {name}{extra} during `{check_id}`{rest}"
    return f"the target ended the process with status {code} during `{check_id}`{rest}"

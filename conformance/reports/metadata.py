"""What a report records about the run: the target and its version, the library versions, the
profile and seed that replay it, the device and its matmul precision settings."""

from __future__ import annotations

import platform
import random
from typing import Any

from conformance import __version__
from conformance.loading.target import Target


def device_settings(device: str, threads: int | None = None) -> dict[str, Any]:
    """The settings that decide how a float32 matmul rounds on ``device`` (the tolerance reads the same)."""
    import torch

    out: dict[str, Any] = {
        "device": device,
        "float32_matmul_precision": torch.get_float32_matmul_precision(),
        "cuda_matmul_allow_tf32": bool(torch.backends.cuda.matmul.allow_tf32),
        "cudnn_allow_tf32": bool(torch.backends.cudnn.allow_tf32),
        "num_threads": threads or torch.get_num_threads(),  # torch intra-op threads during the checks
    }
    if str(device).startswith("cuda") and torch.cuda.is_available():
        out["device_name"] = torch.cuda.get_device_name(torch.device(device))
    return out


def target_info(target: Target) -> dict[str, Any]:
    """What a report says of the target (plain data, so it crosses from xdist workers)."""
    return {"target": target.name, "target_spec": target.spec, "target_file": target.file,
            "target_version": target.version, "provides": target.provided}


def environment(target: "Target | dict[str, Any]", device: str, threads: int | None = None) -> dict[str, Any]:
    """Where the checks ran: the target, the library versions, the device and its settings. Computed
    where the checks run (an xdist worker sends its own to the controller, which never imports torch)."""
    import hypothesis
    import numpy
    import scipy
    import torch

    return {
        **(target if isinstance(target, dict) else target_info(target)),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "torch": str(torch.__version__),
        "numpy": str(numpy.__version__),
        "scipy": scipy.__version__,
        "hypothesis": hypothesis.__version__,
        **device_settings(device, threads),
    }


#: The keys of ``environment`` that come before the run's own settings in a report.
_ENVIRONMENT_FIRST = ("target", "target_spec", "target_file", "target_version", "provides", "python", "platform",
                      "torch", "numpy", "scipy", "hypothesis")


def run_metadata(env: dict[str, Any], *, profile: str | None, max_examples: int | None,
                 seed: int | str | None, expected: str | None = None,
                 widened: dict[str, float] | None = None, strict_expected: bool = False,
                 call_timeout: float | None = None) -> dict[str, Any]:
    """The metadata block of a report (JSON-serialisable): the ``environment`` and the run's settings."""
    return {
        "suite": "conformance",
        "suite_version": __version__,
        **{k: env[k] for k in _ENVIRONMENT_FIRST if k in env},
        "profile": profile,
        "max_examples": max_examples,
        "hypothesis_seed": seed,
        "replay": replay_hint(seed),
        **{k: v for k, v in env.items() if k not in _ENVIRONMENT_FIRST},
        "call_timeout_s": call_timeout,
        "expected": expected,
        "widened": dict(widened or {}),
        "strict_expected": strict_expected,
    }


def new_seed() -> int:
    """A fresh seed for a run that was given none (printed, so the run can be replayed)."""
    return random.SystemRandom().randrange(2**32)


def replay_hint(seed: int | str | None) -> str:
    if seed is None:
        return "derandomized profile: every run draws the same examples"
    return f"--hypothesis-seed={seed} (pytest/CLI) or conformance.run(..., seed={seed})"

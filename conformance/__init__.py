"""A property-based conformance suite for PyTorch ``nn.Module`` blocks, judged against a NumPy reference.

Front-ends: ``python -m pytest conformance --impl X`` (the pytest plugin), ``python -m conformance
--impl X`` (CLI), and ``conformance.run(X)`` and ``conformance.parametrize_with_checks(X)`` (this API). All consume one
registry of checks.

The names below are imported on first use: the pytest plugin is loaded by every pytest run in an
environment that has this package installed, and must not make each of them import torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> the module that defines it
_EXPORTS = {
    "parametrize_with_checks": "frontends.parametrize", "run": "frontends.runner",
    "select_checks": "frontends.selection",
    "Check": "core.registry", "all_checks": "core.registry", "UsageError": "core.errors",
    "Report": "reports.report", "Result": "reports.report", "BatchReport": "reports.combined",
    "Target": "loading.target", "TargetError": "loading.target", "load_target": "loading.target",
}

__all__ = ["__version__", "BatchReport", "Check", "Report", "Result", "Target", "TargetError", "UsageError",
           "all_checks", "load_target", "parametrize_with_checks", "run", "select_checks"]

if TYPE_CHECKING:
    from conformance.core.errors import UsageError
    from conformance.core.registry import Check, all_checks
    from conformance.frontends.parametrize import parametrize_with_checks
    from conformance.frontends.runner import run
    from conformance.frontends.selection import select_checks
    from conformance.loading.target import Target, TargetError, load_target
    from conformance.reports.combined import BatchReport
    from conformance.reports.report import Report, Result


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""A property-based conformance suite for PyTorch ``nn.Module`` blocks, judged against a NumPy reference.

Front-ends: ``python -m pytest conformance --impl X`` (the pytest plugin), ``python -m conformance
--impl X`` (CLI), and ``conformance.run(X)`` and ``conformance.parametrize_with_checks(X)`` (this API). All consume one
registry of checks.
"""

__version__ = "0.1.0"

from .parametrize import parametrize_with_checks  # noqa: E402
from .registry import Check, all_checks  # noqa: E402
from .report import Report, Result  # noqa: E402
from .runner import run, select_checks  # noqa: E402
from .target import Target, TargetError, load_target  # noqa: E402

__all__ = ["__version__", "Check", "Report", "Result", "Target", "TargetError", "all_checks", "load_target",
           "parametrize_with_checks", "run", "select_checks"]

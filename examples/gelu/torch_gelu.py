"""torch.nn's GELU (``approximate='none'``), as a target: it passes the declaration in ``gelu_spec.py``."""

from torch.nn import GELU  # noqa: F401

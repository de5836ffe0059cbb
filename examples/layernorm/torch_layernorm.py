"""torch.nn's LayerNorm, as a target: it passes the declaration in ``layernorm_spec.py``."""

from torch.nn import LayerNorm  # noqa: F401

"""torch.nn's Embedding, as a target: it passes the declaration in ``embedding_spec.py``."""

from torch.nn import Embedding  # noqa: F401

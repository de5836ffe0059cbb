"""The block database: the spec as data. Each block is a declaration (``declare``): its constructor
signature, how its arguments and inputs are drawn, its tensors and their init laws, its capabilities
and anchor cases, and its NumPy reference. The chapter's blocks are its first entries; a user adds
theirs in a file of their own, passed as ``--spec FILE`` (see ``docs/adding_a_block.md``)::

    from conformance.database import declare, Param, Constant

    LAYERNORM = declare("LayerNorm(normalized_shape, eps=1e-05, elementwise_affine=True)",
                        forward=layer_norm, input_width="normalized_shape",
                        params={"weight": Param(("normalized_shape",), init=Constant(1.0), when="elementwise_affine"),
                                "bias": Param(("normalized_shape",), init=Constant(0.0), when="elementwise_affine")})
"""

from typing import Any

from conformance.database.declare import Buffer, Param, Signature, Tensor, declare
from conformance.database.store import blocks, find_block, load_spec_files
from conformance.drawing.anchors import Anchor
from conformance.drawing.blocks import BadArgs

_LAWS = {"Normal": "Normal", "Uniform": "Uniform", "PointMass": "PointMass", "Constant": "PointMass",
         "Values": "Values"}


def __getattr__(name: str) -> Any:
    """The init laws, imported when first named (``reference.distributions`` imports scipy, which the
    xdist controller, listing the checks, never needs)."""
    if name in _LAWS:
        from reference import distributions

        return getattr(distributions, _LAWS[name])
    raise AttributeError(f"module 'conformance.database' has no attribute {name!r}")

__all__ = ["declare", "Param", "Buffer", "Tensor", "Signature", "Anchor", "BadArgs", "Normal", "Uniform", "Constant",
           "PointMass", "Values", "blocks", "find_block", "load_spec_files"]

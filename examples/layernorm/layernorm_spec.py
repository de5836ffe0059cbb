"""LayerNorm declared for the conformance suite: ``python -m conformance --spec examples/layernorm/layernorm_spec.py
--impl examples/layernorm/torch_layernorm.py`` checks torch.nn.LayerNorm against it.

The spec (torch.nn.LayerNorm with an int ``normalized_shape``): each row of the last dim is centred on its
mean and divided by sqrt(biased variance + eps); with ``elementwise_affine`` the result is scaled by
``weight`` (init ones) and shifted by ``bias`` (init zeros).
"""

import numpy as np
from hypothesis import strategies as st

from conformance.database import Anchor, BadArgs, Constant, Param, declare


def layer_norm(x, weight=None, bias=None, *, eps, elementwise_affine, **_):
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)  # biased: divided by n
    y = centred / np.sqrt(variance + eps)
    return y * weight + bias if elementwise_affine else y


LAYERNORM = declare(
    "LayerNorm(normalized_shape, eps=1e-05, elementwise_affine=True)",
    forward=layer_norm,
    input_width="normalized_shape",
    params={"weight": Param(("normalized_shape",), init=Constant(1.0), when="elementwise_affine"),
            "bias": Param(("normalized_shape",), init=Constant(0.0), when="elementwise_affine")},
    args={"normalized_shape": st.sampled_from([1, 2, 3, 5, 8, 16, 33, 64]),
          "eps": st.sampled_from([1e-5, 1e-3, 0.5])},
    anchors=(Anchor("no_batch_dim", leading=()), Anchor("empty_batch", leading=(0,)),
             Anchor("no_affine", args={"elementwise_affine": False}),
             Anchor("single_feature", args={"normalized_shape": 1}),
             Anchor("large_eps", args={"eps": 0.5})),
    bad_args=(BadArgs({"normalized_shape": -1, "eps": 1e-5, "elementwise_affine": True}, "a negative size"),),
)

"""GELU declared for the conformance suite: ``python -m conformance --spec examples/gelu/gelu_spec.py
--impl examples/gelu/torch_gelu.py`` checks torch.nn.GELU against it.

The spec (torch.nn.GELU with ``approximate='none'``): elementwise, any shape, no parameters,
``y = x * Phi(x) = x / 2 * (1 + erf(x / sqrt(2)))``, Phi the standard normal CDF. Not the tanh
approximation (``approximate='tanh'``), which differs by up to 5e-4. The reference calls
``scipy.special.erf``, which the bounds have a rule for (its error: OpenCL's 16 ulps of its range),
so the rounding-error bounds, the gradients and the half-precision checks are derived from it.
"""

import numpy as np
from scipy.special import erf

from conformance.database import Anchor, declare

INF, NAN = float("inf"), float("nan")


def gelu(x, **_):
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


GELU = declare(
    "GELU()",
    forward=gelu,
    anchors=(Anchor("no_batch_dim", leading=()),
             Anchor("zero", x=(0.0, -0.0)),
             # erf near -1: 1 + erf(x / sqrt 2) cancels, the result is small (-4e-6 at x = -4.5)
             Anchor("far_left", x=(-3.0, -4.5, -6.0)),
             Anchor("far_right", x=(3.0, 6.0, 40.0)),
             Anchor("specials", x=(INF, -INF, NAN))),
)

"""Initialization checks, one module per job: ``defaults`` (default init of Linear, MyLinear and
FixedHiddenMLP's ``rand_weight``), ``functions`` (the target's ``init`` namespace), ``recipes`` (the
tutorial's ``Module.apply`` recipes), ``traversal`` (``apply``'s order), ``reproducible``
(construction under a seed), all on ``sampling`` (how a sample is drawn and judged).

Each statistical check has two parts (``docs/init_statistics.md`` gives the design and arithmetic):

1. A Hypothesis property over drawn shapes, arguments, dtypes and torch seeds asserting what holds
   exactly: every value inside the support (up to the rounding of the bound to the dtype), zeros and
   constants, in place / returns its tensor / no autograd history, fan rules and ``ValueError``. A
   failure here shrinks to a minimal example, like every other check's.
2. After the property has run, ONE statistical assessment per sample group (``conformance.judging.statistics.
   assess``): a fixed *design* of cases chosen to have power (non-square shapes for fans and bounds,
   receptive fields, gains and stds other than 1, small tensors pooled over many fresh constructions),
   plus one group pooling the values of the first ``DRAWN_CAP`` drawn examples (distinct seeds). The
   number of tests is fixed, whatever the profile: each statistical check spends ALPHA_CHECK = 1e-5,
   split evenly over its groups (and, inside ``assess``, over its tests).

The design's torch seeds derive from the seeds Hypothesis drew, so a run replays with its Hypothesis
seed, and non-derandomized runs test fresh samples. Every failure prints a snippet that rebuilds the
rejected sample from the target and reruns ``assess`` on it.
"""

from __future__ import annotations

from conformance.checks.init.declared import check_declared_init  # noqa: F401
from conformance.checks.init.defaults import (  # noqa: F401
    LINEAR_DESIGN,
    LINEAR_SAMPLER,
    MYLINEAR_DESIGN,
    MYLINEAR_SAMPLER,
    RAND_WEIGHT_DESIGN,
    RAND_WEIGHT_SAMPLER,
    check_linear_init,
    check_mylinear_init,
    check_rand_weight,
)
from conformance.checks.init.functions import (  # noqa: F401
    NORMAL_DESIGN,
    NORMAL_SAMPLER,
    UNIFORM_DESIGN,
    UNIFORM_SAMPLER,
    XAVIER_DESIGN,
    XAVIER_SAMPLER,
    check_constant,
    check_normal,
    check_uniform,
    check_xavier,
    check_zeros,
)
from conformance.checks.init.recipes import (  # noqa: F401
    INIT_NORMAL_DESIGN,
    INIT_NORMAL_SAMPLER,
    MY_INIT_DESIGN,
    MY_INIT_SAMPLER,
    XAVIER_42_DESIGN,
    XAVIER_42_SAMPLER,
    check_init_constant,
    check_init_normal,
    check_my_init,
    check_xavier_42,
)
from conformance.checks.init.reproducible import check_reproducible  # noqa: F401
from conformance.checks.init.sampling import (  # noqa: F401
    Design,
    Group,
    InitRunner,
    Sampler,
    group_alpha,
    n_groups,
    stat_seed,
)
from conformance.checks.init.traversal import check_apply  # noqa: F401

STATISTICAL = {
    "linear.init[default]": (LINEAR_SAMPLER, LINEAR_DESIGN),
    "mylinear.init[default]": (MYLINEAR_SAMPLER, MYLINEAR_DESIGN),
    "fixedhiddenmlp.init[rand_weight]": (RAND_WEIGHT_SAMPLER, RAND_WEIGHT_DESIGN),
    "init.function[normal_]": (NORMAL_SAMPLER, NORMAL_DESIGN),
    "init.function[uniform_]": (UNIFORM_SAMPLER, UNIFORM_DESIGN),
    "init.function[xavier_uniform_]": (XAVIER_SAMPLER, XAVIER_DESIGN),
    "sequential.init[init_normal]": (INIT_NORMAL_SAMPLER, INIT_NORMAL_DESIGN),
    "sequential.init[xavier_42]": (XAVIER_42_SAMPLER, XAVIER_42_DESIGN),
    "sequential.init[my_init]": (MY_INIT_SAMPLER, MY_INIT_DESIGN),
}

"""The default init of a declared block (``BlockSpec.init``): each tensor's values follow its law.

A Hypothesis property over drawn constructor arguments and torch seeds asserts what holds exactly:
rows the declaration fixes (an Embedding's ``padding_idx`` row) hold their constant, a constant law
(``Constant``) holds everywhere, and every value of a random law lies in its support. After it, one
statistical assessment per tensor with a random law (``judging.statistics.assess``) of the values of
every distinct construction the property built, standardized by their law (so laws that depend on
the arguments pool), at the statistical checks' false-alarm share ``ALPHA_CHECK``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from conformance.checks.common import Runner, draw_example
from conformance.checks.init.sampling import SUPPORT_RTOL
from conformance.core.context import CheckContext
from conformance.core.registry import Check
from conformance.drawing.blocks import BlockSpec
from conformance.judging.bridge import to_numpy
from conformance.judging.statistics import ALPHA_CHECK, STANDARD_NORMAL, STANDARD_UNIFORM, assess, describe_sample
from reference.distributions import Normal, PointMass, Uniform, Values

#: A law's standardized form, which the pooled test judges (``law.standardize``).
STANDARD: dict[type, Any] = {Normal: STANDARD_NORMAL, Uniform: STANDARD_UNIFORM}

INIT_BODY = """for name, value in block.state_dict().items():
    print(name, value)"""



def check_declared_init(ctx: CheckContext, check: Check, *, spec: BlockSpec) -> None:
    pools: dict[tuple[str, type], list[np.ndarray]] = {}
    seen: set[tuple[str, int]] = set()
    last: dict[str, Runner] = {}

    @ctx.hypothesis_settings()
    @given(data=st.data())
    def follows_its_law(data: st.DataObject) -> None:
        drawn = draw_example(data, ctx, spec, "float64", plain=True)
        run = Runner(ctx, check, spec, drawn)
        block = run.build()
        _, tensors = run.reference(block)
        fresh = (repr(sorted(drawn.args.items())), drawn.example.seed) not in seen
        seen.add((repr(sorted(drawn.args.items())), drawn.example.seed))
        for name, declared in spec.init.items():
            if name not in tensors:
                continue
            values = to_numpy(tensors[name])
            rest = np.ones(values.shape, dtype=bool)
            for row, constant in declared.fixed_rows(drawn.args).items():
                if not np.all(values[row] == constant):
                    raise run.failure(f"row {row} of {name!r} is not {constant!r} after the default init",
                                      f"the declaration fixes it; it holds {values[row]!r}", body=INIT_BODY)
                rest[row] = False
            law = declared.law(drawn.args)
            sample = values[rest]
            if isinstance(law, Values):  # every entry fixed: compared entry by entry
                inside = law.contains(values)
                if not np.all(inside):
                    where = tuple(int(i) for i in np.argwhere(~inside.reshape(values.shape))[0])
                    want = float(np.asarray(law.values, dtype=np.float64).reshape(values.shape)[where]) \
                        if np.size(law.values) == values.size else float("nan")
                    raise run.failure(f"{name!r} is not {law} after the default init",
                                      f"{int((~inside).sum())} of {values.size} entries differ; at {list(where)}: "
                                      f"expected {want!r}, actual {float(values[where])!r}", body=INIT_BODY,
                                      fact=f"{name}{list(where)}: expected {want:.6g}, "
                                           f"actual {float(values[where]):.6g}")
                continue
            if law is None or not sample.size:
                continue
            if isinstance(law, PointMass):
                if not np.all(sample == law.value):
                    bad = sample[sample != law.value]
                    raise run.failure(f"{name!r} is not {law} after the default init",
                                      f"{bad.size} of {sample.size} values differ, e.g. {float(bad[0])!r}",
                                      body=INIT_BODY, fact=f"expected {law.value!r}, actual {float(bad[0])!r}")
                continue
            inside = law.contains(sample, SUPPORT_RTOL)
            if not np.all(inside):
                bad = sample[~inside]
                raise run.failure(f"{name!r} has values outside the support of its law {law}",
                                  f"{bad.size} of {sample.size} values, e.g. {float(bad[0])!r}", body=INIT_BODY)
            if fresh:
                pools.setdefault((name, type(law)), []).append(law.standardize(sample))
        last["run"] = run

    follows_its_law()
    for (name, kind), parts in pools.items():
        z = np.concatenate([p.ravel() for p in parts])
        # the support slack the per-example test allowed (a bound rounded to float32), kept when pooled
        verdict = assess(z, STANDARD[kind], ALPHA_CHECK / len(pools), SUPPORT_RTOL)
        if verdict is not None:
            run = last["run"]
            raise run.failure(f"{name!r} does not follow its default-init law",
                              f"{verdict}\nstandardized sample of {len(parts)} constructions: {describe_sample(z)}",
                              body=INIT_BODY, fact=f"{verdict.test} test, p = {verdict.pvalue:.2g}")

"""What Hypothesis costs per example, before any check code runs (the cost model behind
``conformance/drawing/strategies.py``).

    python benchmarks/draw_cost.py

Prints milliseconds per example, best of three runs of 400 examples, for: a test drawing one integer
(Hypothesis's floor), one ``data.draw`` of a tuple of six single-choice strategies, six separate
``data.draw`` calls of the same strategies, and each block's whole example draw (``example_parts``:
constructor arguments, seed, shape, parameter, input and upstream-gradient parts in one draw).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conformance.checks.common import example_parts  # noqa: E402
from conformance.database.chapter import BLOCKS  # noqa: E402

N = 400
SETTINGS = settings(max_examples=N, deadline=None, database=None, phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck))
PARTS = (st.integers(0, 2**32 - 1), st.sampled_from([1.0, 2.0, 3.0]), st.sampled_from([1.0, 2.0]), st.booleans(),
         st.sampled_from(range(1, 9)), st.sampled_from(range(1, 9)))
TUPLE = st.tuples(*PARTS)


def per_example(test) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        test()
        best = min(best, time.perf_counter() - start)
    return best / N * 1e3


def example_test(strategy: st.SearchStrategy, label: str):
    @SETTINGS
    @given(st.data())
    def example(data: st.DataObject) -> None:
        data.draw(strategy, label=label)

    return example


def main() -> None:
    @SETTINGS
    @given(st.integers(0, 2**32 - 1))
    def floor(x: int) -> None:
        pass

    @SETTINGS
    @given(st.data())
    def one_tuple(data: st.DataObject) -> None:
        data.draw(TUPLE, label="parts")

    @SETTINGS
    @given(st.data())
    def six_draws(data: st.DataObject) -> None:
        for i, part in enumerate(PARTS):
            data.draw(part, label=f"part {i}")

    rows = [("one integer (the floor)", floor), ("one draw of a 6-tuple", one_tuple), ("six draws", six_draws)]
    for spec in BLOCKS:
        rows.append((f"{spec.key} example (gradient check)", example_test(*example_parts(
            spec, "float32", True, None, False, True, None))))
    for name, test in rows:
        print(f"{name:<40} {per_example(test):6.2f} ms/example")


if __name__ == "__main__":
    main()

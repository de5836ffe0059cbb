"""Derived against hand-derived rounding-error bounds: the chapter's blocks written as plain NumPy
forwards, as a user would declare them, run on ``reference.traced`` arrays, and their bounds
compared, element by element, with the bounds ``reference/`` derives by hand (forward, input
gradient, every parameter gradient), on random examples in float32's and float64's arithmetic.

    python benchmarks/derived_bounds.py [--examples 200] [--seed 0]

Prints, per block and quantity, the smallest and largest ratio derived / hand over every element
whose hand bound is positive. Sound and tight means: never below 1 (up to the rounding of the
bound's own computation, 1e-12) and a small factor above it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import reference as R  # noqa: E402
from reference.bounds import Precision  # noqa: E402
from reference.traced import evaluate  # noqa: E402

#: The arithmetic judged (as ``judging.tolerance.precision_for`` states it: the dtype's u plus the reference's).
PRECISIONS = {"float32": Precision(2.0**-24 + 2.0**-53, 2.0**-126),
              "float64": Precision(2.0**-53 + 2.0**-53, 2.0**-1022)}


def linear(x, weight, bias):
    return x @ weight.T + bias


def relu(x):
    return np.maximum(x, 0.0)


def centered(x):
    return x - x.mean()


def mylinear(x, weight, bias):
    return np.maximum(x @ weight + bias, 0.0)


def mlp(x, w1, b1, w2, b2):
    return np.maximum(x @ w1.T + b1, 0.0) @ w2.T + b2


def _linear_case(rng, n, m, rows):
    return R.Linear(n, m), {"weight": rng.standard_normal((m, n)), "bias": rng.standard_normal(m)}, (rows, n)


def cases(rng: np.random.Generator) -> list[tuple[str, Callable, R.Module, dict, tuple, dict]]:
    """(name, NumPy forward, hand-derived reference, parameters, input shape, forward's names for them)."""
    n, m, h, rows = (int(v) for v in rng.integers(1, 40, 4))
    lin, lin_params, lin_shape = _linear_case(rng, n, m, rows)
    my = R.MyLinear(n, m)
    my_params = {"weight": rng.standard_normal((n, m)), "bias": rng.standard_normal(m)}
    net = R.MLP(n, h, m)
    net_params = {"hidden.weight": rng.standard_normal((h, n)), "hidden.bias": rng.standard_normal(h),
                  "out.weight": rng.standard_normal((m, h)), "out.bias": rng.standard_normal(m)}
    names = {"hidden.weight": "w1", "hidden.bias": "b1", "out.weight": "w2", "out.bias": "b2"}
    return [
        ("Linear", linear, lin, lin_params, lin_shape, {}),
        ("ReLU", relu, R.ReLU(), {}, (rows, n), {}),
        ("CenteredLayer", centered, R.CenteredLayer(), {}, (rows, n), {}),
        ("MyLinear", mylinear, my, my_params, (rows, n), {}),
        ("MLP", mlp, net, net_params, (rows, n), names),
    ]


def compare(examples: int, seed: int) -> dict[tuple[str, str, str], list[float]]:
    """(block, dtype, quantity) -> [smallest ratio, largest ratio] over every example and element."""
    rng = np.random.default_rng(seed)
    out: dict[tuple[str, str, str], list[float]] = {}
    for _ in range(examples):
        for name, forward, hand_ref, params, shape, names in cases(rng):
            x = rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 4)
            if rng.random() < 0.3:  # exact zeros, where a mask is decided by the bound
                x.reshape(-1)[rng.integers(0, x.size, 2)] = 0.0
            if params:
                hand_ref.load_state_dict(params)
            y = hand_ref(x)
            gy = rng.standard_normal(y.shape)
            for dtype, prec in PRECISIONS.items():
                hand = R.run_forward_backward(hand_ref, x, gy, prec)
                inputs = {"x": x, **{names.get(k, k): v for k, v in params.items()}}
                derived = evaluate(forward, inputs, prec=prec, gy=gy, wrt=tuple(inputs))
                pairs = [("forward", derived.ey, hand["ey"]), ("input gradient", derived.grad_errors["x"], hand["egx"])]
                pairs += [(f"grad {k}", derived.grad_errors[names.get(k, k)], hand["grad_errors"][k]) for k in params]
                for quantity, d, h in pairs:
                    _record(out, (name, dtype, quantity), np.asarray(d), np.asarray(h))
    return out


def _record(out: dict, key: Any, derived: np.ndarray, hand: np.ndarray) -> None:
    positive = hand > 0
    if not positive.any():
        return
    ratio = derived[positive] / hand[positive]
    low, high = out.setdefault(key, [np.inf, 0.0])
    out[key] = [min(low, float(ratio.min())), max(high, float(ratio.max()))]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    table = compare(args.examples, args.seed)
    print("| block | dtype | quantity | min derived/hand | max derived/hand |\n|---|---|---|---|---|")
    for (name, dtype, quantity), (low, high) in table.items():
        print(f"| {name} | {dtype} | {quantity} | {low:.6g} | {high:.6g} |")
    worst = min(low for low, _ in table.values())
    print(f"\nsmallest ratio {worst:.12g}; largest {max(h for _, h in table.values()):.6g}")
    return 0 if worst >= 1 - 1e-12 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

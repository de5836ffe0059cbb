"""How tight the half-precision bounds are: the largest |actual - exact| / bound over random examples,
for torch's own kernels (must stay below 1: a correct implementation never exceeds its bound) and for
a kernel that accumulates its dot products in the half format itself (must exceed 1: the mutant
``linear_float16_accumulates``), by reduction length.

    .venv/bin/python benchmarks/half_bounds.py [--trials 50] [--widths 1 2 3 4 8 17 64 300]

Each example: a Linear(n, 8) with torch's default init cast to the format, input (4, n) standard
normal in the format; the exact reference and its bound from ``reference/`` at
``judging.tolerance.precision_for`` of the format. Also CenteredLayer (a mean and a subtraction),
torch's ``x - x.mean()``, on (4, n).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import reference as R  # noqa: E402
from conformance.judging.tolerance import precision_for  # noqa: E402


def accumulate_in_format(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """x @ w.T + b with every partial sum rounded to x's dtype (a half-precision accumulator)."""
    acc = torch.zeros(*x.shape[:-1], w.shape[0], dtype=x.dtype)
    for k in range(x.shape[-1]):
        acc = acc + x[..., k:k + 1] * w[:, k]
    return acc + b


def ratio(actual: torch.Tensor, out: dict) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.abs(actual.detach().double().numpy() - out["y"]) / out["ey"]
    return float(np.nanmax(np.where(out["ey"] > 0, r, 0.0), initial=0.0))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--widths", type=int, nargs="*", default=[1, 2, 3, 4, 8, 17, 64, 300])
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    print("| dtype | n | Linear, torch | Linear, accumulating in the format | CenteredLayer, torch |")
    print("|---|---|---|---|---|")
    for dtype in (torch.float16, torch.bfloat16):
        prec = precision_for(dtype)
        for n in args.widths:
            worst = {"torch": 0.0, "accumulating": 0.0, "centered": 0.0}
            for _ in range(args.trials):
                layer = torch.nn.Linear(n, 8).to(dtype)
                x = torch.randn(4, n).to(dtype)
                ref = R.Linear(n, 8)
                ref.load_state_dict({"weight": layer.weight.detach().double().numpy(),
                                     "bias": layer.bias.detach().double().numpy()})
                out = R.run_forward_backward(ref, x.double().numpy(), None, prec=prec)
                with torch.no_grad():
                    worst["torch"] = max(worst["torch"], ratio(layer(x), out))
                    worst["accumulating"] = max(worst["accumulating"],
                                                ratio(accumulate_in_format(x, layer.weight, layer.bias), out))
                    centered = R.run_forward_backward(R.CenteredLayer(), x.double().numpy(), None, prec=prec)
                    worst["centered"] = max(worst["centered"], ratio(x - x.mean(), centered))
            print(f"| {str(dtype)[6:]} | {n} | {worst['torch']:.3f} | {worst['accumulating']:.3f} | "
                  f"{worst['centered']:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""A drawn example, replayable from its description alone (``ArraySpec`` is re-exported from ``arrays``).

Hypothesis draws the *structure* of an example (sizes, a seed, scales, a few special values);
bulk values come from a seeded NumPy generator. So an example is small to print,
cheap to draw, shrinks well, and ``Example.snippet()`` rebuilds it exactly in a fresh interpreter.
"""

from __future__ import annotations

import contextlib
import copy
import functools
from dataclasses import dataclass, field, replace
from types import CodeType
from typing import Any, Iterator

import torch

from conformance.drawing.arrays import ArraySpec
from conformance.sandbox.timeouts import time_limit

TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64, "float16": torch.float16,
                "bfloat16": torch.bfloat16}


def namespace(target: Any) -> dict[str, Any]:
    """What a constructor expression may refer to: the target, torch.nn, and the builders."""
    from conformance.loading import builders

    return {"target": target, "nn": torch.nn, "torch": torch, "copy": copy, "rgnet": builders.rgnet,
            "tied_net": builders.tied_net}


def is_lazy(block: torch.nn.Module) -> bool:
    """The block holds parameters or buffers torch has not sized yet (``nn.LazyLinear`` and the like)."""
    from torch.nn.parameter import is_lazy as lazy

    try:
        return isinstance(block, torch.nn.Module) and any(lazy(t) for t in [*block.parameters(), *block.buffers()])
    except Exception:  # noqa: BLE001 - a block that cannot list its tensors fails where the checks read them
        return False


def sized(block: torch.nn.Module, width: int, dtype: torch.dtype | None = None, device: str = "cpu") -> torch.nn.Module:
    """``block``, sized first if it is lazy as torch documents: one forward (no grad) on
    ``torch.zeros(1, width)``; a block that is not lazy is returned as it is."""
    if is_lazy(block):
        with torch.no_grad():
            block(torch.zeros(1, width, dtype=dtype or torch.get_default_dtype(), device=device))
    return block


@functools.lru_cache(maxsize=4096)
def compiled(code: str) -> CodeType:
    """A constructor expression, compiled once (examples repeat a few hundred distinct ones)."""
    return compile(code, "<constructor>", "eval")


@contextlib.contextmanager
def seeded(seed: int, device: str = "cpu") -> Iterator[None]:
    """Seed torch for the body (as ``torch.manual_seed(seed)`` would) and restore the caller's RNG
    state afterwards. On CPU only the CPU generator is seeded: ``torch.manual_seed`` also queues
    lazy seeding of every accelerator backend, recording a stack trace each time (~10 ms a call)."""
    devices = [torch.device(device)] if torch.device(device).type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.default_generator.manual_seed(seed)
        if devices:
            torch.cuda.manual_seed_all(seed)
        yield


@dataclass(frozen=True)
class Example:
    """Everything needed to rebuild one checked case: block, dtype, seeds, input and upstream gradient."""

    code: str                        # the constructor call, an expression over ``target`` and ``nn``
    dtype: str                       # "float32", "float64", "float16" or "bfloat16"
    seed: int                        # torch seed in force while the block is constructed
    x: ArraySpec | None = None       # the input
    params: ArraySpec | None = None  # when set, parameters are overwritten (shape taken per parameter)
    gy: ArraySpec | None = None      # the upstream gradient, for gradient checks
    device: str = "cpu"
    extra: tuple[tuple[str, Any], ...] = field(default=())  # check-specific facts worth printing
    width: int | None = None         # the input width a lazy block is materialised with
    lazy: bool = False               # the block was lazy: materialised by one forward before use
    anchor: str | None = None        # the anchor case this example is (``drawing.anchors``), if any

    def with_extra(self, **facts: Any) -> "Example":
        return replace(self, extra=self.extra + tuple(facts.items()))

    # -- building ------------------------------------------------------------------------------
    def construct(self, target: Any) -> Any:
        """The constructor expression's value (call under ``seeded``)."""
        return eval(compiled(self.code), namespace(target))  # noqa: S307

    def size(self, block: torch.nn.Module) -> None:
        """One forward that sizes the block if it is lazy (after ``.to``: it sizes in that dtype)."""
        if self.width is not None:
            sized(block, self.width, TORCH_DTYPES[self.dtype], self.device)

    def build(self, target: Any, timeout: float | None = None) -> torch.nn.Module:
        """Construct the block with the target, seeded, cast to ``dtype`` on ``device`` (and sized, if
        lazy); parameters overwritten when the example says so."""
        with time_limit(timeout, f"constructing {self.code}"), seeded(self.seed, self.device):
            block = self.construct(target).to(device=self.device, dtype=TORCH_DTYPES[self.dtype])
            self.size(block)
        if self.params is not None:
            overwrite_parameters(block, self.params, self.dtype)
        return block

    def tensor(self, spec: ArraySpec, requires_grad: bool = False) -> torch.Tensor:
        """The array ``spec`` describes, in its memory layout (``ArraySpec.tensor``)."""
        return spec.tensor(self.dtype, self.device).requires_grad_(requires_grad)

    def input(self, requires_grad: bool = False) -> torch.Tensor:
        assert self.x is not None
        return self.tensor(self.x, requires_grad)

    # -- reporting -----------------------------------------------------------------------------
    def describe(self) -> str:
        lines = [f"block   = {self.code}", f"dtype   = {self.dtype}, device = {self.device}, torch seed = {self.seed}"]
        if self.anchor:
            lines.insert(0, f"anchor  = {self.anchor} (an edge of the contract, run in every profile)")
        if self.params is not None:
            lines.append(f"params  = overwritten from {self.params}")
        if self.x is not None:
            lines.append(f"input   = {self.x}")
        if self.gy is not None:
            lines.append(f"grad_out= {self.gy}")
        lines += [f"{k:<8}= {v}" for k, v in self.extra]
        return "\n".join(lines)

    def snippet(self, target_load: str, body: str = "") -> str:
        """Python that rebuilds this example against the target ``target_load`` loads (a
        ``load_target(...)`` call); ``body`` uses ``block``, ``x``, ``gy``."""
        lines = [
            "import copy",
            "import torch",
            "from torch import nn",
            "from conformance.drawing.examples import ArraySpec, overwrite_parameters",
            "from conformance.loading.builders import rgnet, tied_net, torch_leaves",
            "from conformance.loading.target import load_target",
            f"target = {target_load}",
            f"torch.manual_seed({self.seed})",
            f"block = {self.code}.to(device={self.device!r}, dtype=torch.{self.dtype})",
        ]
        if self.lazy:
            lines.append(f"block(torch.zeros(1, {self.width}, dtype=torch.{self.dtype}, device={self.device!r}))"
                         "  # sizes the lazy block")
        if self.params is not None:
            lines.append(f"overwrite_parameters(block, {self.params!r}, {self.dtype!r})")
        if self.x is not None:
            lines.append(f"x = {self.x.code(self.dtype, self.device)}")
        if self.gy is not None:
            lines.append(f"gy = {self.gy.code(self.dtype, self.device)}")
        if body:
            lines.append(body.strip("\n"))
        return "\n".join(lines)


def overwrite_parameters(block: torch.nn.Module, spec: ArraySpec, dtype: str) -> None:
    """Overwrite every parameter, in ``named_parameters()`` order, with values drawn like ``spec``
    (seed advanced per parameter, shape taken from the parameter). A contiguous ``spec`` writes into
    the parameter's own storage; another layout replaces its ``.data`` by a tensor in that layout
    (a legal parameter: autograd, optimizers and ``state_dict()`` take any strides)."""
    write_parameters([p for _, p in block.named_parameters()], spec, dtype)


def write_parameters(params: list[torch.Tensor], spec: ArraySpec, dtype: str) -> None:
    """``overwrite_parameters`` on parameters already listed (the suite lists them through the
    target, and writes them itself)."""
    with torch.no_grad():
        for i, p in enumerate(params):
            values = replace(spec, shape=tuple(p.shape), seed=spec.seed + i)
            if spec.layout == "contiguous":
                p.copy_(torch.from_numpy(values.make(dtype)).to(p.device, p.dtype))
            else:
                p.data = values.tensor(dtype, str(p.device)).to(p.dtype)

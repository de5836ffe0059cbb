"""Between a torch block and its reference: find the block's tensors by the spec's names, and run
the reference on the block's own parameters."""

from __future__ import annotations

from functools import reduce
from typing import Any

import numpy as np
import torch

import reference as R


class LayoutError(Exception):
    """The block's parameters cannot be matched to the spec's (see the structure check)."""


def to_numpy(t: torch.Tensor) -> np.ndarray:
    """As float64; integer tensors (an Embedding's indices) as int64."""
    if not (t.is_floating_point() or t.is_complex()):
        return t.detach().to("cpu", torch.int64).numpy()
    return t.detach().to("cpu", torch.float64).numpy()


def spec_tensors(block: torch.nn.Module, ref: R.Module) -> dict[str, torch.Tensor]:
    """The block's live tensors under the spec's state_dict names.

    First by attribute path (``0.weight`` -> ``block[0].weight`` via ``getattr``), which finds plain
    tensor attributes too; when a path does not resolve, by position in ``state_dict(keep_vars=True)``
    when the count and shapes agree. Anything else is a LayoutError saying what differs.
    """
    wanted = ref.state_dict()
    found: dict[str, torch.Tensor] = {}
    for name in wanted:
        try:
            value = reduce(getattr, name.split("."), block)
        except AttributeError:
            break
        if not isinstance(value, torch.Tensor):
            break
        found[name] = value
    else:
        return _shapes_agree(found, wanted)
    theirs = list(block.state_dict(keep_vars=True).items())
    if [shape_of(t) for _, t in theirs] != [v.shape for v in wanted.values()]:
        raise LayoutError(
            "cannot match the block's tensors to the spec's.\n"
            f"spec:  {[(k, v.shape) for k, v in wanted.items()]}\n"
            f"block: {[(k, shape_of(t)) for k, t in theirs]}"
        )
    return dict(zip(wanted, (t for _, t in theirs), strict=True))  # lengths checked above


def shape_of(value: Any) -> tuple[int, ...] | str:
    """A state-dict entry's shape; an entry that is not a tensor (a quantized layer's dtype and packed
    parameters, a block's extra state) by its type's name: it matches none of the spec's shapes."""
    return tuple(value.shape) if isinstance(value, (torch.Tensor, np.ndarray)) else type(value).__name__


def _shapes_agree(found: dict[str, torch.Tensor], wanted: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    for name, t in found.items():
        if tuple(t.shape) != wanted[name].shape:
            raise LayoutError(f"{name} has shape {tuple(t.shape)}, the spec says {wanted[name].shape}")
    return found


def loaded_reference(spec_reference: R.Module, block: torch.nn.Module) -> tuple[R.Module, dict[str, torch.Tensor]]:
    """The reference carrying the block's own parameter and buffer values, and the tensors used."""
    tensors = spec_tensors(block, spec_reference)
    spec_reference.load_state_dict({name: to_numpy(t) for name, t in tensors.items()})
    return spec_reference, tensors


def reference_forward(block_key: str, args: dict[str, Any], block: torch.nn.Module, x: torch.Tensor) -> np.ndarray:
    """The spec's output for ``block``'s own parameters on ``x`` (for reproduction snippets)."""
    from conformance.database.store import find_block

    spec = find_block(block_key)
    if spec is None:
        raise LookupError(f"no block {block_key!r} in the database: load its declaration first "
                          "(conformance.database.load_spec_files)")
    ref, _ = loaded_reference(spec.reference(args), block)
    return ref(to_numpy(x))

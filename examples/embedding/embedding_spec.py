"""Embedding declared for the conformance suite: ``python -m conformance --spec examples/embedding/embedding_spec.py
--impl examples/embedding/torch_embedding.py`` checks torch.nn.Embedding against it.

The spec (torch.nn.Embedding): the input holds indices into a table of ``num_embeddings`` rows; the
output stacks the rows they index. ``weight`` starts N(0, 1), except the ``padding_idx`` row, which
starts at 0 and is never trained (its gradient is 0). A row no index points at gets gradient 0.
"""

import numpy as np
from hypothesis import strategies as st

from conformance.database import Anchor, BadArgs, Normal, Param, declare
from reference.traced import detached


def embedding(x, weight, *, padding_idx, **_):
    rows = weight[x]
    if padding_idx is None:
        return rows
    padding = (x == padding_idx)[..., None]
    return np.where(padding, detached(rows), rows)  # read, never trained


def embedding_args(n, dim, padding):
    return {"num_embeddings": n, "embedding_dim": dim, "padding_idx": None if padding is None else padding % n}


EMBEDDING = declare(
    "Embedding(num_embeddings, embedding_dim, padding_idx=None)",
    forward=embedding,
    indices="num_embeddings",
    params={"weight": Param(("num_embeddings", "embedding_dim"), init=Normal(0.0, 1.0),
                            exact_rows=lambda a: {a["padding_idx"]: 0.0})},
    args=st.builds(embedding_args, st.sampled_from([1, 2, 3, 7, 10, 40]), st.sampled_from([1, 2, 3, 8, 17]),
                   st.none() | st.integers(0, 39)),
    derivative=lambda a: a["padding_idx"] is None,  # the padding row is read, never trained
    anchors=(Anchor("scalar", leading=()), Anchor("empty", leading=(0,)),
             Anchor("padding", args={"num_embeddings": 3, "embedding_dim": 3, "padding_idx": 0}, leading=(5, 4)),
             Anchor("one_row", args={"num_embeddings": 1, "embedding_dim": 2, "padding_idx": None})),
    bad_args=(BadArgs({"num_embeddings": -1, "embedding_dim": 3, "padding_idx": None}, "a negative table size"),),
)

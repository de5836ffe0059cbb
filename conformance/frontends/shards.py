"""``--shard K/N``: the K-th of N deterministic parts of a run's (target, check) pairs, balanced by
measured cost, for a CI matrix or a cluster job array; ``python -m conformance merge`` joins the
parts' reports into the report of the whole run.

Costs come from ``costs.json`` (seconds per check id, measured on the built-in targets; see
``benchmarks/batch_speed.py --costs``); a check not in it costs the mean of its property's measured
checks, else the mean of all. The pairs are dealt longest first to the least-loaded shard (ties: the
lower index), so every shard computes the same split from the same selection."""

from __future__ import annotations

import hashlib
import heapq
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from conformance.core.errors import UsageError
from conformance.frontends.batch import split_pair

COSTS = Path(__file__).with_name("costs.json")
SHARD_OUTPUT = "conformance_shard"
SHARD_KEY = pytest.StashKey[dict]()


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` -> (2, 4); a ``UsageError`` unless 1 <= K <= N."""
    found = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not found or not 1 <= int(found.group(1)) <= int(found.group(2)):
        raise UsageError(f"--shard {text!r}: give K/N with 1 <= K <= N (e.g. --shard 1/4)")
    return int(found.group(1)), int(found.group(2))


@lru_cache(maxsize=1)
def cost_table() -> dict[str, float]:
    """check id -> measured seconds (the stored table)."""
    return dict(json.loads(COSTS.read_text(encoding="utf-8"))["seconds"]) if COSTS.exists() else {}


def estimate(check_id: str, table: dict[str, float]) -> float:
    """The measured cost of ``check_id``, else its property's mean, else the table's mean (else 1)."""
    if check_id in table:
        return table[check_id]
    prop = check_id.split(".", 1)[-1].split("[", 1)[0]
    same = [v for k, v in table.items() if k.split(".", 1)[-1].split("[", 1)[0] == prop]
    pool = same or list(table.values())
    return sum(pool) / len(pool) if pool else 1.0


def assign(pairs: list[str], count: int, table: dict[str, float] | None = None) -> dict[str, int]:
    """pair id -> its shard (1..count): longest first to the least-loaded shard, deterministically."""
    table = cost_table() if table is None else table
    costs = {p: estimate(split_pair(p)[1], table) for p in pairs}
    loads = [(0.0, k) for k in range(1, count + 1)]
    out: dict[str, int] = {}
    for pair in sorted(costs, key=lambda p: (-costs[p], p)):
        load, k = heapq.heappop(loads)
        out[pair] = k
        heapq.heappush(loads, (load + costs[pair], k))
    return out


def digest(pairs: list[str]) -> str:
    """A fingerprint of the run's selection (the same in every shard of one run)."""
    return hashlib.sha256("\n".join(sorted(pairs)).encode()).hexdigest()[:16]


class ShardSelector:
    """Registered by the plugin under ``--shard``: after every other deselection (``-k``, ...), keep
    this shard's pairs; record the shard, the selection's size and fingerprint for the report."""

    def __init__(self, index: int, count: int, pair_of: Any) -> None:
        self.index, self.count, self.pair_of = index, count, pair_of

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        ours = {item: self.pair_of(item) for item in items}
        ours = {item: pair for item, pair in ours.items() if pair is not None}
        split = assign(list(ours.values()), self.count)
        gone = [item for item, pair in ours.items() if split[pair] != self.index]
        dropped = set(gone)
        items[:] = [item for item in items if item not in dropped]
        if gone:
            config.hook.pytest_deselected(items=gone)
        config.stash[SHARD_KEY] = {"index": self.index, "count": self.count, "pairs": len(ours),
                                   "selection": digest(list(ours.values()))}

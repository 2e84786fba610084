"""The merged candidate set of a week: the union of the strategies' candidates, one row per
(customer, article), with what each strategy said about the pair.

Columns: ``customer_id int32, article_id int32, n_strategies int8``, then for each strategy
``s`` in registry order ``by_<s> int8`` (0/1), ``rank_<s> float32`` and ``score_<s> float32``
(NaN when ``s`` did not propose the pair). Rows are sorted by customer, then in the merged order:
best rank within any strategy first (so the strategies interleave: every strategy's first
article, then every strategy's second, ...), then more strategies agreeing, then the earlier
registry strategy, then the lower article id. The total cap keeps the first rows of that order.
"""

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from hm_assets import columns as c
from hm_assets.recsys import keys, stats

N_STRATEGIES = "n_strategies"


def by_column(name: str) -> str:
    return f"by_{name}"


def rank_column(name: str) -> str:
    return f"rank_{name}"


def score_column(name: str) -> str:
    return f"score_{name}"


def merged_columns(names: Sequence[str]) -> list[str]:
    return [c.CUSTOMER_ID, c.ARTICLE_ID, N_STRATEGIES, *map(by_column, names), *map(rank_column, names), *map(score_column, names)]


def merge_candidates(
    frames: Mapping[str, pd.DataFrame],
    names: Sequence[str],
    scope: np.ndarray,
    caps: Mapping[str, int],
    total_cap: int,
) -> pd.DataFrame:
    """Merge the strategies' frames (candidate contract) for the customers in ``scope``.

    frames: one frame per name in ``names`` (a missing name proposes nothing).
    caps: per strategy, only rows with ``rank < cap`` are taken (absent: all rows).
    total_cap: at most this many rows per customer, in the merged order.
    Raises ValueError naming customers in ``scope`` left without any candidate.
    A customer's rows depend only on that customer's rows in ``frames``.
    """
    if len(names) > 63:
        raise ValueError(f"{len(names)} strategies: the merged order packs n_strategies in 6 bits (at most 63)")
    scope = stats.unique(np.asarray(scope, dtype=np.int32))
    taken = []
    for j, name in enumerate(names):
        f = frames.get(name)
        if f is None or f.empty:
            continue
        rank = f[c.RANK].to_numpy()
        keep = (rank < caps.get(name, np.iinfo(np.int16).max)) & stats.isin_sorted(f[c.CUSTOMER_ID].to_numpy(), scope)
        taken.append((j, keys.pair_key(f[c.CUSTOMER_ID].to_numpy()[keep], f[c.ARTICLE_ID].to_numpy()[keep]),
                      rank[keep], f[c.SCORE].to_numpy()[keep]))
    all_keys = np.concatenate([t[1] for t in taken]) if taken else np.zeros(0, np.int64)
    # one stable sort gives the distinct pairs and where each strategy row lands among them
    by_key = np.argsort(all_keys, kind="stable")
    ordered = all_keys[by_key]
    new_pair = np.r_[True, ordered[1:] != ordered[:-1]] if len(ordered) else np.zeros(0, dtype=bool)
    pairs = ordered[new_pair]
    slot = np.empty(len(all_keys), dtype=np.int64)
    slot[by_key] = np.cumsum(new_pair) - 1
    m = len(pairs)
    # per pair: strategies agreeing, best rank, first strategy reaching it (each strategy
    # proposes a pair at most once, so plain fancy assignment is exact)
    n_strategies = np.zeros(m, dtype=np.int8)
    best = np.full(m, np.inf, dtype=np.float32)
    first = np.zeros(m, dtype=np.int64)
    slots, start = [], 0
    for j, k, rank, score in taken:
        at = slot[start : start + len(k)]
        start += len(k)
        slots.append(at)
        n_strategies[at] += 1
        better = rank < best[at]
        best[at[better]] = rank[better]
        first[at[better]] = j
    customers, articles = keys.split_pair_key(pairs)
    order = np.argsort(_merged_order_key(customers, best, n_strategies, first), kind="stable")  # ties: article id
    customers = customers[order]
    position = position_in_group(customers)
    order = order[position < total_cap]
    customers = customers[position < total_cap]
    out_row = np.full(m, -1, dtype=np.int64)  # each pair's row in the output, -1 if capped away
    out_row[order] = np.arange(len(order))

    present = customers[np.r_[True, customers[1:] != customers[:-1]]] if len(customers) else customers
    missing = scope[~stats.isin_sorted(scope, present)]
    if len(missing):
        raise ValueError(
            f"{len(missing)} of {len(scope)} customers in scope have no candidate from any strategy, "
            f"e.g. customer_id {missing[:5].tolist()}; every scope customer needs one (see the popular strategy)"
        )
    n_out = len(order)
    by = {name: np.zeros(n_out, dtype=np.int8) for name in names}
    ranks = {name: np.full(n_out, np.nan, dtype=np.float32) for name in names}
    scores = {name: np.full(n_out, np.nan, dtype=np.float32) for name in names}
    for (j, _, rank, score), at in zip(taken, slots):
        row = out_row[at]
        kept = row >= 0
        name = names[j]
        by[name][row[kept]] = 1
        ranks[name][row[kept]] = rank[kept]
        scores[name][row[kept]] = score[kept]
    columns = {c.CUSTOMER_ID: customers, c.ARTICLE_ID: articles[order], N_STRATEGIES: n_strategies[order]}
    columns.update({by_column(s): by[s] for s in names})
    columns.update({rank_column(s): ranks[s] for s in names})
    columns.update({score_column(s): scores[s] for s in names})
    return pd.DataFrame(columns, copy=False)


def position_in_group(sorted_ids: np.ndarray) -> np.ndarray:
    """For ids sorted in runs, each element's 0-based position within its run of equal ids."""
    if not len(sorted_ids):
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])
    return np.arange(len(sorted_ids)) - np.repeat(starts, np.diff(np.r_[starts, len(sorted_ids)]))


def _merged_order_key(customers: np.ndarray, best: np.ndarray, n_strategies: np.ndarray, first: np.ndarray) -> np.ndarray:
    """One int64 per row sorting by customer (sorted input), best rank, more strategies, earlier
    strategy: [customer index | best rank (15 bits) | 63 - n_strategies (6) | first (6)]."""
    dense = np.cumsum(np.r_[True, customers[1:] != customers[:-1]]) - 1 if len(customers) else np.zeros(0, np.int64)
    best = np.minimum(best, 2**15 - 1).astype(np.int64)
    return (dense.astype(np.int64) << 27) | (best << 12) | ((63 - n_strategies.astype(np.int64)) << 6) | first.astype(np.int64)


def merged_ranks(merged: pd.DataFrame) -> pd.DataFrame:
    """``customer_id, article_id, rank``: each merged row's position in its customer's order."""
    cust = merged[c.CUSTOMER_ID].to_numpy()
    position = position_in_group(cust)
    return pd.DataFrame({c.CUSTOMER_ID: cust, c.ARTICLE_ID: merged[c.ARTICLE_ID].to_numpy(), c.RANK: position})

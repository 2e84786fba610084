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
    pairs = stats.unique(all_keys)
    m = len(pairs)
    by = np.zeros((len(names), m), dtype=np.int8)
    ranks = np.full((len(names), m), np.nan, dtype=np.float32)
    scores = np.full((len(names), m), np.nan, dtype=np.float32)
    for j, k, rank, score in taken:
        at = np.searchsorted(pairs, k)
        by[j, at] = 1
        ranks[j, at] = rank
        scores[j, at] = score
    n_strategies = by.sum(axis=0, dtype=np.int8)
    best = np.nanmin(np.where(by == 1, ranks, np.inf), axis=0) if len(names) else np.zeros(m)
    first = np.argmax(by.astype(bool) & (ranks == best), axis=0) if len(names) else np.zeros(m, int)
    customers, articles = keys.split_pair_key(pairs)
    order = np.lexsort((articles, first, -n_strategies.astype(np.int16), best, customers))
    customers = customers[order]
    position = np.arange(m) - np.searchsorted(customers, customers)  # rows before it, same customer
    order = order[position < total_cap]

    missing = np.setdiff1d(scope, customers)
    if len(missing):
        raise ValueError(
            f"{len(missing)} of {len(scope)} customers in scope have no candidate from any strategy, "
            f"e.g. customer_id {missing[:5].tolist()}; every scope customer needs one (see the popular strategy)"
        )
    columns = {c.CUSTOMER_ID: customers[position < total_cap], c.ARTICLE_ID: articles[order], N_STRATEGIES: n_strategies[order]}
    for j, name in enumerate(names):
        columns[by_column(name)] = by[j, order]
    for j, name in enumerate(names):
        columns[rank_column(name)] = ranks[j, order]
    for j, name in enumerate(names):
        columns[score_column(name)] = scores[j, order]
    return pd.DataFrame(columns)


def merged_ranks(merged: pd.DataFrame) -> pd.DataFrame:
    """``customer_id, article_id, rank``: each merged row's position in its customer's order."""
    cust = merged[c.CUSTOMER_ID].to_numpy()
    position = np.arange(len(cust)) - np.searchsorted(cust, cust)
    return pd.DataFrame({c.CUSTOMER_ID: cust, c.ARTICLE_ID: merged[c.ARTICLE_ID].to_numpy(), c.RANK: position})

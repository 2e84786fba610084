"""A weighted blend of several models' per-customer rankings, with weights tuned by MAP@12.

Each model scores the same candidate pairs; within each customer, its scores become a
normalised value, and the blend is the weighted sum of those values:
- ``rank``: reciprocal rank, ``1 / (RECIPROCAL_OFFSET + rank)`` (rank 0 = the model's best pick),
  insensitive to the scale of each model's scores;
- ``score``: the customer's scores rescaled to [0, 1] (min-max; 0 when all are equal).
Everything is per customer, so a customer's blend never depends on which other customers are
scored with it (chunks and scopes change nothing). Ties go to the lower ``article_id``, so the
result is deterministic.

Weights are tuned on the week before the predicted one (W-1), whose purchases are known, by a
grid over the simplex; never on W.

Screening (a cascade): at full scale most of a customer's ~85 candidates can never reach the
top 12, yet scoring them with every model is most of the stage's cost. A cheap score (a
LightGBM model's first trees) picks each customer's best ``keep`` rows, and only those are
scored by every model and blended (:func:`screened`).
"""

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from hm_assets import columns as c
from hm_assets.recsys import grouping, keys, metrics

RANK_METHOD = "rank"
SCORE_METHOD = "score"
RECIPROCAL_OFFSET = 5.0


def score_column(model: str) -> str:
    return f"score_{model}"


def rank_column(model: str) -> str:
    return f"rank_{model}"


def customer_ranks(customer_ids: np.ndarray, scores: np.ndarray, article_ids: np.ndarray) -> np.ndarray:
    """Rank (int32, 0 = best) of each row within its customer: higher score first, then lower id.

    Rows sorted by (customer, article), as every stored candidate table is, take one sort of a
    packed integer key (2-8x faster than the general three-key ``lexsort`` at full scale, where
    the blend ranks ~100M rows several times); any other order, or a NaN score, takes the
    ``lexsort``. Both give the same ranks."""
    customer_ids, article_ids, scores = np.asarray(customer_ids), np.asarray(article_ids), np.asarray(scores)
    if _sorted_pairs(customer_ids, article_ids) and not np.isnan(scores).any():
        starts = grouping.run_starts(customer_ids)
        # within a customer's run, a stable sort by descending score keeps equal scores in
        # article order; the run index above the score's key keeps customers apart
        key = (np.cumsum(starts, dtype=np.int64) - 1) << 32 | _descending_key(scores)
        order = np.argsort(key, kind="stable")
    else:
        order = np.lexsort((article_ids, -scores.astype(np.float64), customer_ids))
        starts = grouping.run_starts(customer_ids[order])
    first = np.flatnonzero(starts)
    ranks = np.empty(len(order), dtype=np.int32)
    ranks[order] = np.arange(len(order)) - np.repeat(first, np.diff(np.r_[first, len(order)]))
    return ranks


def _sorted_pairs(customer_ids: np.ndarray, article_ids: np.ndarray) -> bool:
    """Whether the rows are sorted by (customer, article), each pair once."""
    if len(customer_ids) < 2:
        return True
    step = np.diff(customer_ids.astype(np.int64))
    return bool((step >= 0).all() and ((step > 0) | (np.diff(article_ids.astype(np.int64)) > 0)).all())


def _descending_key(scores: np.ndarray) -> np.ndarray:
    """An int64 in [0, 2^32) per score, smaller for a higher score, equal for equal scores."""
    if np.issubdtype(scores.dtype, np.floating) and scores.dtype.itemsize <= 4:
        # float32 bits made order-preserving as unsigned (negatives flipped whole, positives
        # with the sign bit set), then inverted for descending; + 0 turns -0.0 into 0.0
        bits = (scores.astype(np.float32) + np.float32(0)).view(np.uint32)
        ascending = np.where(bits >> 31 == 1, ~bits, bits | np.uint32(1 << 31))
        return (~ascending).astype(np.int64)
    # wider scores: their dense rank, highest first (one more sort)
    order = np.argsort(-scores, kind="stable")
    ordered = scores[order]
    dense = np.empty(len(scores), dtype=np.int64)
    dense[order] = np.cumsum(np.r_[True, ordered[1:] != ordered[:-1]]) - 1
    return dense


def normalised(customer_ids: np.ndarray, scores: np.ndarray, article_ids: np.ndarray, method: str) -> np.ndarray:
    """Per-customer normalised value (float64, higher is better) of one model's scores."""
    if method == RANK_METHOD:
        return 1.0 / (RECIPROCAL_OFFSET + customer_ranks(customer_ids, scores, article_ids))
    if method == SCORE_METHOD:
        s = pd.Series(np.asarray(scores, dtype=np.float64))
        grouped = s.groupby(np.asarray(customer_ids))
        low, high = grouped.transform("min").to_numpy(), grouped.transform("max").to_numpy()
        span = high - low
        return np.where(span > 0, (s.to_numpy() - low) / np.where(span > 0, span, 1.0), 0.0)
    raise ValueError(f"blend method must be {RANK_METHOD!r} or {SCORE_METHOD!r}, got {method!r}")


def _values(frame: pd.DataFrame, models: Sequence[str], method: str) -> np.ndarray:
    customers, articles = frame[c.CUSTOMER_ID].to_numpy(), frame[c.ARTICLE_ID].to_numpy()
    return np.column_stack([normalised(customers, frame[score_column(m)].to_numpy(), articles, method) for m in models])


def blend_scores(frame: pd.DataFrame, weights: Mapping[str, float], method: str = RANK_METHOD) -> np.ndarray:
    """The blended score (float32) of each row of ``frame`` (``customer_id, article_id, score_<m>``)."""
    models = list(weights)
    w = np.array([weights[m] for m in models], dtype=np.float64)
    return (_values(frame, models, method) @ w).astype(np.float32)


def screened(customer_ids: np.ndarray, scores: np.ndarray, article_ids: np.ndarray, keep: int) -> np.ndarray:
    """Mask of each customer's ``keep`` best rows by ``scores`` (ties: lower ``article_id``);
    every row when ``keep`` is 0. Per customer, so chunks change nothing."""
    if keep < 0:
        raise ValueError(f"screen keep must be >= 0 (0: no screening), got {keep}")
    if keep == 0:
        return np.ones(len(customer_ids), dtype=bool)
    return customer_ranks(customer_ids, scores, article_ids) < keep


def single_maps(frame: pd.DataFrame, actual: pd.DataFrame, models: Sequence[str]) -> dict[str, float]:
    """MAP@12 of each model's own ranking of ``frame`` (``score_<m>`` columns) on ``actual``."""
    score_of = RankingScorer(frame, actual)
    return {m: score_of(frame[score_column(m)].to_numpy()) for m in models}


def weight_grid(models: Sequence[str], step: float) -> list[dict[str, float]]:
    """Every weighting of ``models`` on the simplex with the given step (fixed order, best first tie)."""
    n = round(1 / step)
    if not np.isclose(n * step, 1.0) or n < 1:
        raise ValueError(f"grid step must divide 1, got {step}")
    combos = [p for p in itertools.product(range(n + 1), repeat=len(models)) if sum(p) == n]
    combos.sort(key=lambda p: (-max(p), p))  # tried in a fixed order; the first best wins ties
    return [{m: k / n for m, k in zip(models, p)} for p in combos]


def top_k(frame: pd.DataFrame, scores: np.ndarray, k: int = c.K) -> pd.DataFrame:
    """The ``k`` best rows per customer by ``scores`` as ``customer_id, article_id, rank``."""
    ranks = customer_ranks(frame[c.CUSTOMER_ID].to_numpy(), scores, frame[c.ARTICLE_ID].to_numpy())
    keep = ranks < k
    out = pd.DataFrame(
        {
            c.CUSTOMER_ID: frame[c.CUSTOMER_ID].to_numpy()[keep],
            c.ARTICLE_ID: frame[c.ARTICLE_ID].to_numpy()[keep],
            c.RANK: ranks[keep].astype(np.int16),
        }
    )
    return out.sort_values([c.CUSTOMER_ID, c.RANK], kind="stable").reset_index(drop=True)


def tune_weights(
    frame: pd.DataFrame, actual: pd.DataFrame, models: Sequence[str], step: float = 0.1, method: str = RANK_METHOD
) -> tuple[dict[str, float], pd.DataFrame]:
    """Blend weights that maximise MAP@12 on a past week, and the MAP@12 of every weighting tried.

    frame: every candidate of that week's buyers with each model's ``score_<m>`` (models trained
    without that week's labels); actual: that week's purchases (``customer_id, article_id``).
    Returns the best weights (first in grid order among equals) and ``weights..., map_at_12``.
    """
    values = _values(frame, models, method)
    score_of = RankingScorer(frame, actual)
    rows = []
    best, best_map = None, -1.0
    for weights in weight_grid(models, step):
        blended = values @ np.array([weights[m] for m in models])
        score = score_of(blended)
        rows.append({**weights, "map_at_12": score})
        if score > best_map + 1e-12:
            best, best_map = weights, score
    return best, pd.DataFrame(rows)


class RankingScorer:
    """MAP@12 of many rankings of the same rows against the same purchases:
    ``RankingScorer(frame, actual)(scores) == metrics.map_at_k(top_k(frame, scores), actual)``.

    The purchases' labels and the buyers' counts are worked out once; each ranking then costs
    one per-customer rank and a (buyers x 12) table, instead of the general metric's joins and
    sorts (the blend tries 66 weightings of ~1.7M tuning rows at `full`). Rows must hold each
    (customer, article) pair once, as candidates do; other frames take the general metric.
    """

    def __init__(self, frame: pd.DataFrame, actual: pd.DataFrame, k: int = c.K):
        self.frame, self.actual, self.k = frame, actual, k
        self.customers, self.articles = frame[c.CUSTOMER_ID].to_numpy(), frame[c.ARTICLE_ID].to_numpy()
        rows = keys.pair_key(self.customers, self.articles)
        self.unique = len(np.unique(rows)) == len(rows)
        truth = actual[[c.CUSTOMER_ID, c.ARTICLE_ID]].drop_duplicates()
        n_true = truth.groupby(c.CUSTOMER_ID).size()
        self.buyer = n_true.index.get_indexer(self.customers)  # the row's buyer, -1 if not one
        self.label = np.isin(rows, keys.pair_key(truth[c.CUSTOMER_ID].to_numpy(), truth[c.ARTICLE_ID].to_numpy()))  # a bought pair's customer is a buyer
        self.denominator = np.minimum(n_true.to_numpy(), k).astype(np.float64)

    def __call__(self, scores: np.ndarray) -> float:
        if not self.unique:
            return metrics.map_at_k(top_k(self.frame, scores), self.actual, self.k)
        if len(self.denominator) == 0:
            return float("nan")
        ranks = customer_ranks(self.customers, scores, self.articles)
        hit = self.label & (ranks < self.k)
        table = np.zeros((len(self.denominator), self.k), dtype=bool)
        table[self.buyer[hit], ranks[hit]] = True
        precision = np.where(table, np.cumsum(table, axis=1) / np.arange(1, self.k + 1), 0.0)
        summed = np.zeros(len(self.denominator))
        for j in range(self.k):  # slot by slot, the general metric's order of additions
            summed += precision[:, j]
        return float(pd.Series(summed / self.denominator).mean())


def shrink(weights: Mapping[str, float], amount: float) -> dict[str, float]:
    """``(1 - amount) * weights + amount * equal weights``: tuning on one week of buyers is noisy
    (on ``small`` the best weights swing from week to week), so the tuned weights are pulled
    toward the equal blend; ``amount = 0`` keeps them, ``1`` ignores them."""
    if not 0 <= amount <= 1:
        raise ValueError(f"shrink amount must be in [0, 1], got {amount}")
    equal = 1.0 / len(weights)
    return {m: round((1 - amount) * w + amount * equal, 6) for m, w in weights.items()}


def blend_picks(frame: pd.DataFrame, weights: Mapping[str, float], method: str = RANK_METHOD, k: int = c.K) -> pd.DataFrame:
    """The rows in any model's or the blend's top ``k``, with every model's score and rank.

    frame: candidate pairs of whole customers with ``score_<m>`` for each weighted model.
    Returns ``customer_id, article_id``, ``score_<m>, rank_<m>`` per model (rank int16 within
    the customer, 0 = best), ``blend_score`` and ``rank`` (the blend's), sorted by customer and
    blend rank. The blend's top ``k`` is ``rank < k``.
    """
    customers, articles = frame[c.CUSTOMER_ID].to_numpy(), frame[c.ARTICLE_ID].to_numpy()
    out = {c.CUSTOMER_ID: customers, c.ARTICLE_ID: articles}
    keep = np.zeros(len(frame), dtype=bool)
    for m in weights:
        ranks = customer_ranks(customers, frame[score_column(m)].to_numpy(), articles)
        out[score_column(m)] = frame[score_column(m)].to_numpy(np.float32)
        out[rank_column(m)] = ranks.astype(np.int16)
        keep |= ranks < k
    blended = blend_scores(frame, weights, method)
    ranks = customer_ranks(customers, blended, articles)
    keep |= ranks < k
    out[c.BLEND_SCORE] = blended
    out[c.RANK] = ranks.astype(np.int16)
    picks = pd.DataFrame(out).loc[keep]
    return picks.sort_values([c.CUSTOMER_ID, c.RANK], kind="stable").reset_index(drop=True)

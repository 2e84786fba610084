"""Scoring: MAP@12 exactly as the competition defines it, and candidate recall.

Choices, stated once:
- ``actual`` is the *set* of distinct articles a customer bought in the scored week (buying two
  units, or buying again on another day, is one relevant item). This is the conservative reading
  of the competition's metric and what its public kernels do.
- A prediction repeated in a customer's list counts once, at its first (best) position; the
  repeat still takes a slot of the 12.
- Only customers with at least one purchase in the week are scored; a buyer without any
  prediction scores 0.
"""

import numpy as np
import pandas as pd

from hm_assets import columns as c
from hm_assets.recsys import keys, stats


def average_precision(actual, predicted, k: int = c.K) -> float:
    """AP@k of one ranked list, the textbook way (used as the reference in tests)."""
    actual = set(actual)
    if not actual:
        return 0.0
    hits, score, seen = 0, 0.0, set()
    for position, item in enumerate(list(predicted)[:k], start=1):
        if item in actual and item not in seen:
            hits += 1
            score += hits / position
        seen.add(item)
    return score / min(len(actual), k)


def map_at_k(predictions: pd.DataFrame, actual: pd.DataFrame, k: int = c.K) -> float:
    """MAP@k over the customers who appear in ``actual``.

    predictions: ``customer_id, article_id, rank`` (lower rank = better; any integer order).
    actual: ``customer_id, article_id`` rows of the scored week (duplicates allowed).
    """
    per_customer = average_precision_per_customer(predictions, actual, k)
    return float(per_customer.mean()) if len(per_customer) else float("nan")


def average_precision_per_customer(
    predictions: pd.DataFrame, actual: pd.DataFrame, k: int = c.K
) -> pd.Series:
    """AP@k for every buyer in ``actual`` (index ``customer_id``), vectorized."""
    truth = actual[[c.CUSTOMER_ID, c.ARTICLE_ID]].drop_duplicates()
    n_true = truth.groupby(c.CUSTOMER_ID).size()
    if n_true.empty:
        return pd.Series(dtype="float64", name="ap")

    top = top_k(predictions, k)
    top = top[top[c.CUSTOMER_ID].isin(n_true.index)]
    hit = pd.MultiIndex.from_frame(top[[c.CUSTOMER_ID, c.ARTICLE_ID]]).isin(
        pd.MultiIndex.from_frame(truth)
    )
    hits_so_far = pd.Series(hit.astype(np.int32), index=top.index).groupby(top[c.CUSTOMER_ID]).cumsum()
    precision_at_hit = np.where(hit, hits_so_far.to_numpy() / top["position"].to_numpy(), 0.0)
    summed = pd.Series(precision_at_hit, index=top[c.CUSTOMER_ID].to_numpy()).groupby(level=0).sum()
    ap = summed.reindex(n_true.index, fill_value=0.0) / np.minimum(n_true, k)
    return ap.rename("ap")


def top_k(predictions: pd.DataFrame, k: int = c.K) -> pd.DataFrame:
    """First ``k`` slots of each customer's list, with repeats removed after taking slots.

    Returns ``customer_id, article_id, position`` (1-based slot in the original list).
    """
    ranked = predictions[[c.CUSTOMER_ID, c.ARTICLE_ID, c.RANK]].sort_values(
        [c.CUSTOMER_ID, c.RANK], kind="stable"
    )
    ranked = ranked.assign(position=ranked.groupby(c.CUSTOMER_ID).cumcount() + 1)
    ranked = ranked[ranked["position"] <= k]
    ranked = ranked.drop_duplicates([c.CUSTOMER_ID, c.ARTICLE_ID], keep="first")
    return ranked[[c.CUSTOMER_ID, c.ARTICLE_ID, "position"]].reset_index(drop=True)


def recall(candidates: pd.DataFrame, actual: pd.DataFrame) -> float:
    """Share of the week's distinct (customer, article) pairs that are among the candidates."""
    truth = actual[[c.CUSTOMER_ID, c.ARTICLE_ID]].drop_duplicates()
    if truth.empty:
        return float("nan")
    found = pd.MultiIndex.from_frame(truth).isin(
        pd.MultiIndex.from_frame(candidates[[c.CUSTOMER_ID, c.ARTICLE_ID]])
    )
    return float(found.mean())


RECALL_CAPS = (10, 20, 50, 100, 200)


def recall_curve(candidates: pd.DataFrame, actual: pd.DataFrame, n_customers: int, caps=RECALL_CAPS) -> pd.DataFrame:
    """Recall and precision of each customer's first ``cap`` candidates, for each cap and for all.

    candidates: ``customer_id, article_id, rank`` (lower rank first) for ``n_customers`` scope
    customers; actual: the week's ``customer_id, article_id`` rows (the distinct pairs count).
    Returns one row per cap (``cap`` = "all" for the whole set): ``cap, candidates_per_customer``
    (mean over the scope customers), ``recall`` (share of true pairs found), ``precision``
    (share of candidates bought). NaN where undefined (no buyers, no candidates).
    """
    truth = stats.unique(keys.pair_key(actual[c.CUSTOMER_ID].to_numpy(), actual[c.ARTICLE_ID].to_numpy()))
    ordered = candidates[[c.CUSTOMER_ID, c.ARTICLE_ID, c.RANK]].sort_values([c.CUSTOMER_ID, c.RANK], kind="stable")
    cust = ordered[c.CUSTOMER_ID].to_numpy()
    position = np.arange(len(cust)) - np.searchsorted(cust, cust)
    hit = stats.isin_sorted(keys.pair_key(cust, ordered[c.ARTICLE_ID].to_numpy()), truth)
    rows = []
    for cap in [*caps, None]:
        keep = position < cap if cap is not None else np.ones(len(cust), bool)
        n, hits = int(keep.sum()), int(hit[keep].sum())
        rows.append(
            {
                "cap": "all" if cap is None else str(cap),
                "candidates_per_customer": n / n_customers if n_customers else float("nan"),
                "recall": hits / len(truth) if len(truth) else float("nan"),
                "precision": hits / n if n else float("nan"),
            }
        )
    return pd.DataFrame(rows)

"""Scoring any number of named prediction sets against one week's purchases.

MAP@12 and recall@12 come from :mod:`hm_assets.recsys.metrics` (distinct articles bought, only
buyers scored). Recall@12 is the share of the week's distinct (customer, article) pairs found in
the customers' first 12 picks.

Customer segments, by what the customer did strictly before the scored week W:
- ``no history``: never bought anything before W;
- ``dormant``: bought before, but not in the ``ACTIVE_WEEKS`` (4) weeks before W;
- ``active``: bought at least once in the ``ACTIVE_WEEKS`` weeks before W.
"""

from collections.abc import Mapping

import numpy as np
import pandas as pd

from hm_assets import calendar
from hm_assets import columns as c
from hm_assets.recsys import metrics

NO_HISTORY, DORMANT, ACTIVE = "no history", "dormant", "active"
SEGMENTS = (NO_HISTORY, DORMANT, ACTIVE)
ACTIVE_WEEKS = 4
SEGMENT = "segment"
METHOD = "method"
REPORT_COLUMNS = [METHOD, "map_at_12", "recall_at_12", "buyers"]


def activity_segments(customer_ids: np.ndarray, history: pd.DataFrame, week: str, active_weeks: int = ACTIVE_WEEKS) -> pd.Series:
    """The segment (categorical, index ``customer_id``) of each customer, from ``history``.

    history: ``t_dat, customer_id`` of transactions strictly before ``week`` (rows dated in W or
    later are ignored, so passing them changes nothing).
    """
    customer_ids = np.unique(np.asarray(customer_ids, dtype=np.int32))
    start = pd.Timestamp(calendar.week_key(week))
    past = history[history[c.T_DAT] < start]
    last = past.groupby(c.CUSTOMER_ID)[c.T_DAT].max().reindex(customer_ids)
    recent_from = pd.Timestamp(calendar.shift_week(week, -active_weeks))
    labels = np.where(last.isna(), NO_HISTORY, np.where(last >= recent_from, ACTIVE, DORMANT))
    return pd.Series(pd.Categorical(labels, categories=SEGMENTS), index=pd.Index(customer_ids, name=c.CUSTOMER_ID), name=SEGMENT)


def _score(predictions: pd.DataFrame, actual: pd.DataFrame, k: int) -> tuple[float, float]:
    top = metrics.top_k(predictions, k)
    return metrics.map_at_k(predictions, actual, k), metrics.recall(top, actual)


def score_predictions(predictions: Mapping[str, pd.DataFrame], actual: pd.DataFrame, k: int = c.K) -> pd.DataFrame:
    """MAP@k and recall@k of each named prediction set on ``actual`` (the scored week's purchases).

    predictions: name -> ``customer_id, article_id, rank`` (lower rank first; rows of customers
    who did not buy are ignored). Returns ``method, map_at_12, recall_at_12, buyers``, one row
    per name, in the given order.
    """
    buyers = int(actual[c.CUSTOMER_ID].nunique())
    rows = [(name, *_score(frame, actual, k), buyers) for name, frame in predictions.items()]
    return pd.DataFrame(rows, columns=REPORT_COLUMNS)


def score_by_segment(
    predictions: Mapping[str, pd.DataFrame], actual: pd.DataFrame, segments: pd.Series, k: int = c.K
) -> pd.DataFrame:
    """:func:`score_predictions` within each customer segment (``segments`` indexed by customer).

    Returns ``method, segment, map_at_12, recall_at_12, buyers``; a segment without buyers is
    left out. Buyers missing from ``segments`` raise, since they would silently vanish.
    """
    seg = segments.reindex(actual[c.CUSTOMER_ID].to_numpy())
    if seg.isna().any():
        missing = actual.loc[seg.isna().to_numpy(), c.CUSTOMER_ID].unique()[:5].tolist()
        raise ValueError(f"buyers without a segment, e.g. customer_id {missing}")
    tables = []
    for name in SEGMENTS:
        part = actual[(seg == name).to_numpy()]
        if part.empty:
            continue
        table = score_predictions(predictions, part, k)
        table.insert(1, SEGMENT, name)
        tables.append(table)
    columns = [METHOD, SEGMENT, *REPORT_COLUMNS[1:]]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns)


def ranked_by(frame: pd.DataFrame, rank_column: str, k: int = c.K) -> pd.DataFrame:
    """A prediction set from a column of ranks: each customer's ``k`` lowest ranks (NaN = not proposed).

    Returns ``customer_id, article_id, rank`` (0..k-1 per customer, ties by article id).
    """
    proposed = frame.loc[frame[rank_column].notna(), [c.CUSTOMER_ID, c.ARTICLE_ID, rank_column]]
    proposed = proposed.sort_values([c.CUSTOMER_ID, rank_column, c.ARTICLE_ID], kind="stable")
    order = proposed.groupby(c.CUSTOMER_ID).cumcount()
    out = proposed.loc[(order < k).to_numpy(), [c.CUSTOMER_ID, c.ARTICLE_ID]].reset_index(drop=True)
    out[c.RANK] = order[order < k].to_numpy().astype(np.int16)
    return out

"""Global popularity and the list-filling rule that turns candidates into 12 picks.

Every function sees only the history frame it is given; callers pass transactions strictly
before the predicted week.
"""

import numpy as np
import pandas as pd

from hm_assets import columns as c
from hm_assets.recsys.contracts import candidates_frame

POPULAR = "popular"


def popular_articles(
    history: pd.DataFrame, week_start: pd.Timestamp, n: int, weeks: int, catalogue: np.ndarray
) -> pd.DataFrame:
    """The ``n`` articles bought by the most distinct customers in the ``weeks`` before the week.

    If that window holds fewer than ``n`` articles (an empty or thin week), the window doubles
    until it holds ``n`` or the history runs out, and the catalogue (in id order) fills the rest,
    so the list is always ``min(n, len(catalogue))`` long. ``score`` is the buyer count in the
    window that first ranked the article (catalogue fill scores 0).

    history: ``t_dat, customer_id, article_id`` before ``week_start``.
    Returns ``article_id, score, rank`` (rank 0 = most popular).
    """
    picked: list[pd.DataFrame] = []
    have: set[int] = set()
    window = max(weeks, 1)
    earliest = history[c.T_DAT].min() if len(history) else week_start
    while True:
        since = week_start - pd.Timedelta(weeks=window)
        recent = history[history[c.T_DAT] >= since]
        buyers = recent.groupby(c.ARTICLE_ID)[c.CUSTOMER_ID].nunique().rename(c.SCORE).reset_index()
        buyers = buyers[~buyers[c.ARTICLE_ID].isin(have)]
        buyers = buyers.sort_values([c.SCORE, c.ARTICLE_ID], ascending=[False, True]).head(n - len(have))
        picked.append(buyers)
        have.update(buyers[c.ARTICLE_ID].tolist())
        if len(have) >= n or since <= earliest:
            break
        window *= 2
    rest = np.setdiff1d(np.asarray(catalogue, dtype=np.int32), np.fromiter(have, dtype=np.int32, count=len(have)))
    picked.append(pd.DataFrame({c.ARTICLE_ID: rest[: max(n - len(have), 0)], c.SCORE: 0}))
    out = pd.concat(picked, ignore_index=True)
    return pd.DataFrame(
        {
            c.ARTICLE_ID: out[c.ARTICLE_ID].to_numpy(np.int32),
            c.SCORE: out[c.SCORE].to_numpy(np.float32),
            c.RANK: np.arange(len(out), dtype=np.int16),
        }
    )


def shared_list(candidates: pd.DataFrame) -> pd.DataFrame:
    """The one ranked list a strategy proposes to everyone (``popular``): the rows of the first
    customer in the frame, as ``article_id, score, rank``."""
    if candidates.empty:
        return candidates[[c.ARTICLE_ID, c.SCORE, c.RANK]]
    first = candidates[c.CUSTOMER_ID].to_numpy()[0]
    own = candidates[candidates[c.CUSTOMER_ID].to_numpy() == first]
    return own[[c.ARTICLE_ID, c.SCORE, c.RANK]].sort_values(c.RANK, kind="stable").reset_index(drop=True)


def fill_with_popular(
    candidates: pd.DataFrame, popular: pd.DataFrame, customer_ids: np.ndarray, k: int = c.K
) -> pd.DataFrame:
    """Every customer's ``k`` picks: their candidates in rank order, then popular articles.

    Duplicates are dropped before counting, so a customer gets ``k`` distinct articles whenever
    the candidates plus the popular list hold that many.
    Returns ``customer_id, article_id, rank`` with ranks 0..k-1, sorted by customer and rank.
    """
    customer_ids = np.asarray(customer_ids, dtype=np.int32)
    own = candidates[candidates[c.CUSTOMER_ID].isin(customer_ids)]
    own = own.sort_values([c.CUSTOMER_ID, c.RANK], kind="stable")
    own = own.assign(_order=own.groupby(c.CUSTOMER_ID).cumcount())[[c.CUSTOMER_ID, c.ARTICLE_ID, "_order"]]
    top = popular.sort_values(c.RANK).head(k)[c.ARTICLE_ID].to_numpy(np.int32)
    fill = pd.DataFrame(
        {
            c.CUSTOMER_ID: np.repeat(customer_ids, len(top)),
            c.ARTICLE_ID: np.tile(top, len(customer_ids)),
            "_order": np.tile(np.arange(len(top)) + k, len(customer_ids)),
        }
    )
    both = pd.concat([own, fill], ignore_index=True).sort_values([c.CUSTOMER_ID, "_order"], kind="stable")
    both = both.drop_duplicates([c.CUSTOMER_ID, c.ARTICLE_ID], keep="first")
    both[c.RANK] = both.groupby(c.CUSTOMER_ID).cumcount().astype(np.int16)
    both = both[both[c.RANK] < k]
    return both[[c.CUSTOMER_ID, c.ARTICLE_ID, c.RANK]].reset_index(drop=True)


def popularity_predictions(popular: pd.DataFrame, customer_ids: np.ndarray, k: int = c.K) -> pd.DataFrame:
    """The popularity baseline: everyone gets the same top ``k``."""
    empty = candidates_frame([], [], POPULAR, [], [])
    return fill_with_popular(empty, popular, customer_ids, k)

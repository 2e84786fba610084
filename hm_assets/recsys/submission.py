"""The Kaggle submission format: ``customer_id,prediction`` with 10-digit zero-padded ids."""

import numpy as np
import pandas as pd

from hm_assets import columns as c
from hm_assets.recsys import grouping


def format_submission(recommendations: pd.DataFrame, customers: pd.DataFrame, k: int = c.K) -> pd.DataFrame:
    """One row per customer in ``customers`` (its order), predictions space-separated.

    recommendations: ``customer_id, article_id, rank`` (int keys).
    customers: ``customer_id`` (int key) and ``customer_hex`` (the original id).
    A customer missing from ``recommendations`` gets an empty prediction; callers fill first.
    """
    recs = recommendations.sort_values([c.CUSTOMER_ID, c.RANK], kind="stable")
    recs = recs[recs.groupby(c.CUSTOMER_ID).cumcount() < k]
    # each distinct article is formatted once (~100k of them against ~16M rows at H&M scale)
    articles, codes = grouping.unique_inverse(recs[c.ARTICLE_ID].to_numpy(np.int64))
    ids = pd.Series(articles.astype(str)).str.zfill(c.ARTICLE_ID_WIDTH).to_numpy(object)[codes]
    owners = recs[c.CUSTOMER_ID].to_numpy()
    starts = np.flatnonzero(grouping.run_starts(owners))
    ends = np.r_[starts[1:], len(owners)]
    joined = pd.Series([" ".join(ids[a:b]) for a, b in zip(starts, ends)], index=owners[starts], dtype=object)
    prediction = joined.reindex(customers[c.CUSTOMER_ID].to_numpy()).fillna("")
    return pd.DataFrame(
        {c.CUSTOMER_ID: customers[c.CUSTOMER_HEX].astype(str).to_numpy(), c.PREDICTION: prediction.to_numpy()}
    )


def validate_submission(frame: pd.DataFrame, n_customers: int, k: int = c.K) -> None:
    """Raise ValueError unless ``frame`` is a well-formed Kaggle submission."""
    if list(frame.columns) != [c.CUSTOMER_ID, c.PREDICTION]:
        raise ValueError(f"submission columns are {list(frame.columns)}, expected customer_id,prediction")
    if len(frame) != n_customers or frame[c.CUSTOMER_ID].duplicated().any():
        raise ValueError(f"submission has {len(frame)} rows / duplicates; expected one per customer ({n_customers})")
    ok = frame[c.PREDICTION].str.fullmatch(rf"\d{{{c.ARTICLE_ID_WIDTH}}}( \d{{{c.ARTICLE_ID_WIDTH}}}){{{k - 1}}}")
    if not ok.all():
        bad = frame.loc[~ok].head(3).to_dict("records")
        raise ValueError(f"{int((~ok).sum())} prediction(s) are not {k} ten-digit ids, e.g. {bad}")

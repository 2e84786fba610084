"""The shapes weekly tables promise downstream code, as pure checks returning problems.

An empty list means the frame keeps its contract; each problem is a sentence naming the column
and example rows.
"""

import numpy as np
import pandas as pd

from hm_assets import columns as c

MAX_EXAMPLES = 5


def _examples(frame: pd.DataFrame, mask: np.ndarray, columns: list[str]) -> str:
    return "; ".join(str(r) for r in frame.loc[mask, columns].head(MAX_EXAMPLES).to_dict("records"))


def candidates_frame(customer_ids, article_ids, strategy: str, scores, ranks) -> pd.DataFrame:
    """A frame in the candidate contract with its exact dtypes (the one place they are written)."""
    n = len(customer_ids)
    return pd.DataFrame(
        {
            c.CUSTOMER_ID: np.asarray(customer_ids, dtype=np.int32),
            c.ARTICLE_ID: np.asarray(article_ids, dtype=np.int32),
            c.STRATEGY: pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[strategy]),
            c.SCORE: np.asarray(scores, dtype=np.float32),
            c.RANK: np.asarray(ranks, dtype=np.int16),
        }
    )


def candidate_problems(frame: pd.DataFrame) -> list[str]:
    """Problems with a candidate-strategy frame (``customer_id, article_id, strategy, score, rank``)."""
    if list(frame.columns) != list(c.CANDIDATE_COLUMNS):
        return [f"columns are {list(frame.columns)}, expected {list(c.CANDIDATE_COLUMNS)}"]
    problems = []
    for column, dtype in ((c.CUSTOMER_ID, np.int32), (c.ARTICLE_ID, np.int32), (c.SCORE, np.float32), (c.RANK, np.int16)):
        if frame[column].dtype != dtype:
            problems.append(f"column {column} has dtype {frame[column].dtype}, expected {np.dtype(dtype).name}")
    if problems:
        return problems
    dup = frame.duplicated([c.CUSTOMER_ID, c.ARTICLE_ID, c.STRATEGY], keep=False).to_numpy()
    if dup.any():
        problems.append(f"{int(dup.sum())} rows repeat a (customer, article, strategy): {_examples(frame, dup, [c.CUSTOMER_ID, c.ARTICLE_ID])}")
    bad_rank = (frame[c.RANK] < 0).to_numpy()
    if bad_rank.any():
        problems.append(f"{int(bad_rank.sum())} rows have a negative rank: {_examples(frame, bad_rank, [c.CUSTOMER_ID, c.RANK])}")
    bad_score = ~np.isfinite(frame[c.SCORE].to_numpy())
    if bad_score.any():
        problems.append(f"{int(bad_score.sum())} rows have a non-finite score: {_examples(frame, bad_score, [c.CUSTOMER_ID, c.SCORE])}")
    return problems


def recommendation_problems(frame: pd.DataFrame, n_customers: int, k: int = c.K) -> list[str]:
    """Problems with per-customer picks: every customer ``0..n-1`` gets ``k`` distinct articles."""
    problems = []
    counts = frame.groupby(c.CUSTOMER_ID).size()
    if len(counts) != n_customers:
        problems.append(f"{len(counts)} customers have picks, expected all {n_customers}")
    short = counts[counts != k]
    if len(short):
        problems.append(f"{len(short)} customers do not have exactly {k} picks, e.g. {short.head(MAX_EXAMPLES).to_dict()}")
    dup = frame.duplicated([c.CUSTOMER_ID, c.ARTICLE_ID], keep=False).to_numpy()
    if dup.any():
        problems.append(f"{int(dup.sum())} picks repeat an article for a customer: {_examples(frame, dup, [c.CUSTOMER_ID, c.ARTICLE_ID])}")
    return problems

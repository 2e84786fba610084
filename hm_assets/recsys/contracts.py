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


def _repeated(frame: pd.DataFrame, with_strategy: bool) -> np.ndarray:
    """Rows whose (customer, article[, strategy]) occurs more than once, by sorting packed int64
    keys (a hash-based ``duplicated`` on tens of millions of rows costs gigabytes)."""
    from hm_assets.recsys import keys

    key = keys.pair_key(frame[c.CUSTOMER_ID].to_numpy(), frame[c.ARTICLE_ID].to_numpy())
    sort_keys = (frame[c.STRATEGY].cat.codes.to_numpy(), key) if with_strategy else (key,)
    order = np.lexsort(sort_keys)
    same = np.ones(len(key) - 1, dtype=bool) if len(key) else np.zeros(0, dtype=bool)
    for k in sort_keys:
        ordered = k[order]
        same &= ordered[1:] == ordered[:-1]
    repeated = np.zeros(len(key), dtype=bool)
    repeated[order[1:][same]] = True
    repeated[order[:-1][same]] = True
    return repeated


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
    if not isinstance(frame[c.STRATEGY].dtype, pd.CategoricalDtype):
        problems.append(f"column {c.STRATEGY} has dtype {frame[c.STRATEGY].dtype}, expected category")
    if problems:
        return problems
    dup = _repeated(frame, with_strategy=True)
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


def merged_candidate_problems(frame: pd.DataFrame, names) -> list[str]:
    """Problems with a merged-candidates frame (``recsys.merge``) for strategies ``names``:
    exact columns and dtypes, one row per (customer, article), sorted by customer,
    ``n_strategies`` = the sum of the ``by_`` flags, ranks present exactly where flagged."""
    from hm_assets.recsys import merge

    expected = merge.merged_columns(names)
    if list(frame.columns) != expected:
        return [f"columns are {list(frame.columns)}, expected {expected}"]
    want = {c.CUSTOMER_ID: np.int32, c.ARTICLE_ID: np.int32, merge.N_STRATEGIES: np.int8}
    for s in names:
        want.update({merge.by_column(s): np.int8, merge.rank_column(s): np.float32, merge.score_column(s): np.float32})
    problems = [f"column {k} has dtype {frame[k].dtype}, expected {np.dtype(v).name}" for k, v in want.items() if frame[k].dtype != v]
    if problems:
        return problems
    problems += merged_row_problems(frame, names)
    flags = frame[[merge.by_column(s) for s in names]].to_numpy()
    ranks = frame[[merge.rank_column(s) for s in names]].to_numpy()
    bad_rank = ((flags == 1) != ~np.isnan(ranks)).any(axis=1)
    if bad_rank.any():
        problems.append(f"{int(bad_rank.sum())} rows have a rank without its flag or a flag without its rank: {_examples(frame, bad_rank, [c.CUSTOMER_ID, c.ARTICLE_ID])}")
    return problems


def merged_row_problems(frame: pd.DataFrame, names) -> list[str]:
    """The row checks of :func:`merged_candidate_problems` that need only ``customer_id,
    article_id, n_strategies`` and the ``by_`` flags (cheap enough for the full target week)."""
    from hm_assets.recsys import merge

    problems = []
    dup = _repeated(frame, with_strategy=False)
    if dup.any():
        problems.append(f"{int(dup.sum())} rows repeat a (customer, article): {_examples(frame, dup, [c.CUSTOMER_ID, c.ARTICLE_ID])}")
    cust = frame[c.CUSTOMER_ID].to_numpy()
    unsorted = np.r_[False, cust[1:] < cust[:-1]]
    if unsorted.any():
        problems.append(f"rows are not sorted by customer_id: {_examples(frame, unsorted, [c.CUSTOMER_ID])}")
    flags = frame[[merge.by_column(s) for s in names]].to_numpy()
    bad_count = flags.sum(axis=1) != frame[merge.N_STRATEGIES].to_numpy()
    if bad_count.any():
        problems.append(f"{int(bad_count.sum())} rows have n_strategies != the sum of by_ flags: {_examples(frame, bad_count, [c.CUSTOMER_ID, c.ARTICLE_ID, merge.N_STRATEGIES])}")
    none = flags.sum(axis=1) == 0
    if none.any():
        problems.append(f"{int(none.sum())} rows come from no strategy: {_examples(frame, none, [c.CUSTOMER_ID, c.ARTICLE_ID])}")
    return problems

"""Training rows for the rankers: candidates joined with features, labelled by a week's purchases.

Everything here is pure pandas/numpy. A week's feature matrix is built in customer chunks, since
it grows with customers x candidates; labels, downsampling and the drop of customers without a
positive work on one chunk at a time too, so a chunk never needs another chunk's rows.

Time windows: the candidates and features of week W see transactions strictly before W; the
labels of W are W's own purchases, used only when W is a training or tuning week (W < the
predicted week).
"""

from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pandas as pd

from hm_assets import columns as c
from hm_assets.recsys import keys

KEY_COLUMNS = (c.CUSTOMER_ID, c.ARTICLE_ID)
NOT_FEATURES = frozenset({c.CUSTOMER_ID, c.ARTICLE_ID, c.WEEK, c.LABEL})

# A per-pair feature function: takes ``customer_id, article_id`` pairs, returns new columns with
# the same length and row order (e.g. a closure over features.compute_pair_features).
PairFeatures = Callable[[pd.DataFrame], pd.DataFrame]


def customer_chunks(customer_ids: np.ndarray, chunk_customers: int) -> Iterator[np.ndarray]:
    """Consecutive slices of the sorted distinct ``customer_ids``, ``chunk_customers`` at a time."""
    ids = np.unique(np.asarray(customer_ids, dtype=np.int32))
    for start in range(0, len(ids), max(int(chunk_customers), 1)):
        yield ids[start : start + chunk_customers]


def _take(table: pd.DataFrame, key: str, ids: np.ndarray, index: pd.Index) -> pd.DataFrame:
    """Rows of ``table`` for ``ids`` in their order (NaN where an id is missing), keys dropped."""
    pos = index.get_indexer(ids)
    values = table.drop(columns=[key]).iloc[np.where(pos >= 0, pos, 0)].reset_index(drop=True)
    missing = pos < 0
    if missing.any():
        values = values.astype({col: np.float32 for col in values.columns if values[col].dtype.kind in "iub"})
        values.loc[missing] = np.nan
    return values


def join_features(
    candidates: pd.DataFrame,
    customer_features: pd.DataFrame,
    article_features: pd.DataFrame,
    pair_features: Sequence[PairFeatures] = (),
    customer_index: pd.Index | None = None,
    article_index: pd.Index | None = None,
) -> pd.DataFrame:
    """One feature row per candidate pair, in the candidates' order.

    candidates: the merged candidates of a week (``customer_id, article_id`` plus the
    ``n_strategies, by_<s>, rank_<s>, score_<s>`` columns), any subset of customers;
    customer_features / article_features: keyed by ``customer_id`` / ``article_id``;
    pair_features: functions returning extra columns for the pairs (same length and order).
    Every input must describe the same week W (built from transactions strictly before W).
    Pass ``customer_index``/``article_index`` (``pd.Index`` of the key columns) to reuse them
    across chunks. Returns the candidates' columns, then customer, article and pair features.
    """
    customer_index = customer_index if customer_index is not None else pd.Index(customer_features[c.CUSTOMER_ID])
    article_index = article_index if article_index is not None else pd.Index(article_features[c.ARTICLE_ID])
    base = candidates.reset_index(drop=True)
    pairs = base[list(KEY_COLUMNS)]
    parts = [
        base,
        _take(customer_features, c.CUSTOMER_ID, base[c.CUSTOMER_ID].to_numpy(), customer_index),
        _take(article_features, c.ARTICLE_ID, base[c.ARTICLE_ID].to_numpy(), article_index),
    ]
    for compute in pair_features:
        extra = compute(pairs)
        if len(extra) != len(pairs):
            raise ValueError(f"pair features returned {len(extra)} rows for {len(pairs)} pairs")
        parts.append(extra.reset_index(drop=True))
    joined = pd.concat(parts, axis=1)
    repeated = joined.columns[joined.columns.duplicated()].tolist()
    if repeated:
        raise ValueError(f"feature tables share column names {repeated}; each table needs its own prefix")
    return joined


def feature_columns(frame: pd.DataFrame) -> list[str]:
    """The model inputs of a feature frame: every numeric or boolean column except keys and label."""
    return [
        col
        for col in frame.columns
        if col not in NOT_FEATURES and (frame[col].dtype.kind in "iufb" or isinstance(frame[col].dtype, pd.CategoricalDtype))
    ]


def label_pairs(pairs: pd.DataFrame, purchases: pd.DataFrame) -> np.ndarray:
    """1 (int8) where the customer bought the article in ``purchases`` (the labelled week), else 0."""
    bought = np.unique(keys.pair_key(purchases[c.CUSTOMER_ID].to_numpy(), purchases[c.ARTICLE_ID].to_numpy()))
    asked = keys.pair_key(pairs[c.CUSTOMER_ID].to_numpy(), pairs[c.ARTICLE_ID].to_numpy())
    return np.isin(asked, bought).astype(np.int8)


def _uniform(pair: np.ndarray, salt: int) -> np.ndarray:
    """A reproducible pseudo-random number in [0, 1) per pair key (splitmix64 of key and salt).

    Hash-based rather than an RNG stream, so a pair's fate does not depend on row order or on
    how customers are chunked.
    """
    with np.errstate(over="ignore"):
        z = pair.astype(np.uint64) + np.uint64(salt) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def sample_training_rows(frame: pd.DataFrame, label: np.ndarray, negative_rate: float, seed: int, week: str) -> pd.DataFrame:
    """Labelled rows of one week for ranker training.

    Keeps every positive and each negative with probability ``negative_rate`` (decided by a
    hash of the pair, the week and ``seed``), then drops customers left without a positive
    (a ranker learns nothing from a group of negatives). Adds ``week`` and ``label`` columns.
    """
    if not 0 < negative_rate <= 1:
        raise ValueError(f"negative_rate must be in (0, 1], got {negative_rate}")
    salt = (int(seed) * 1_000_003 + int(pd.Timestamp(week).toordinal())) & 0xFFFFFFFF
    pair = keys.pair_key(frame[c.CUSTOMER_ID].to_numpy(), frame[c.ARTICLE_ID].to_numpy())
    keep = (label == 1) | (_uniform(pair, salt) < negative_rate)
    customers = frame[c.CUSTOMER_ID].to_numpy()
    with_positive = np.unique(customers[label == 1])
    keep &= np.isin(customers, with_positive)
    out = frame.loc[keep].reset_index(drop=True)
    out.insert(0, c.WEEK, week)
    out[c.LABEL] = label[keep]
    return out


def numeric_values(series: pd.Series) -> np.ndarray:
    """A numeric (or boolean) column as a numpy array, missing values as NaN: plain numpy dtypes
    as they are (NaN is already NaN; ``to_numpy``'s ``na_value`` path copies slowly), nullable
    extension dtypes as float32 with NaN."""
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "fiub":
        return series.to_numpy()
    return series.to_numpy(dtype=np.float32, na_value=np.nan)


def cap_customers(rows: pd.DataFrame, max_customers: int, seed: int, week: str) -> pd.DataFrame:
    """At most ``max_customers`` customers of one week's training rows, each with all its rows.

    The kept customers are those with the smallest hash of (customer, week, seed): a seeded
    choice that does not depend on row order or chunking. Bounds the cost of a training week at
    full scale (tens of thousands of buyers with a positive) without touching a small shop's.
    """
    if max_customers < 1:
        raise ValueError(f"max_customers must be >= 1, got {max_customers}")
    ids = rows[c.CUSTOMER_ID].to_numpy()
    customers = np.unique(ids)
    if len(customers) <= max_customers:
        return rows
    salt = (int(seed) * 1_000_003 + int(pd.Timestamp(week).toordinal()) + 7) & 0xFFFFFFFF
    order = np.argsort(_uniform(customers.astype(np.int64), salt), kind="stable")
    kept = np.sort(customers[order[:max_customers]])
    return rows[np.isin(ids, kept)].reset_index(drop=True)


def sort_groups(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows ordered by week then customer (contiguous query groups for lambdarank)."""
    return frame.sort_values([c.WEEK, c.CUSTOMER_ID, c.ARTICLE_ID], kind="stable").reset_index(drop=True)


def group_sizes(frame: pd.DataFrame) -> np.ndarray:
    """Rows per (week, customer) group, in the order of a frame sorted by :func:`sort_groups`."""
    if frame.empty:
        return np.zeros(0, dtype=np.int32)
    week = pd.factorize(frame[c.WEEK])[0]
    customer = frame[c.CUSTOMER_ID].to_numpy()
    change = np.flatnonzero((week[1:] != week[:-1]) | (customer[1:] != customer[:-1])) + 1
    bounds = np.concatenate([[0], change, [len(frame)]])
    return np.diff(bounds).astype(np.int32)


def group_ids(frame: pd.DataFrame) -> np.ndarray:
    """A dense int64 id per (week, customer) query group, for models that take one group column."""
    return frame.groupby([c.WEEK, c.CUSTOMER_ID], observed=True, sort=True).ngroup().to_numpy(np.int64)

"""Customers without personal candidates share one set of feature rows per segment.

At H&M scale the predicted week needs a ranking for all 1.37M customers, but most of them have
no recent history: every one of their candidates comes from a strategy that proposes the same
list to a whole segment (popularity, trending, the age band's and the postal code's bestsellers).
Such a "cold" customer's candidate rows differ from another cold customer's of the same segment
only through the customer's own features (age, days since a purchase long ago). Scoring them
once per segment, through one representative, cuts the rows to score by the share of cold
customers; every member then gets the representative's 12.

This is an approximation, made on purpose and measured (``benchmarks/bench_sharing.py``):
members of a segment get the same list, ranked by the representative's features.

Definitions (pure numpy/pandas, no Dagster):

- cold: none of the customer's candidate rows comes from a personal strategy (``by_<s>`` is 0 for
  every ``s`` in ``personal``);
- segment: ``(age band, postal group)``, where the postal group is the postal code when at least
  ``min_postal_customers`` customers live there, else one pooled group (a small postal code's own
  list leans on global popularity anyway, see ``segments``);
- representative: the segment's cold customer with the smallest id. Chunks are processed in
  ascending customer order, so the choice does not depend on the chunk size.
"""

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hm_assets import columns as c
from hm_assets.recsys import segments

REPRESENTATIVE = "representative"
SEGMENT_KEY = "segment_key"
POOLED_POSTAL = -2  # the postal group of every postal code with too few customers (or unknown)


def segment_keys(customers: pd.DataFrame, min_postal_customers: int) -> np.ndarray:
    """A segment key (int64) per customer id: an array indexed by ``customer_id``.

    customers: ``customer_id, age, postal_code`` (every customer). The key combines the age band
    (unknown age is its own band) and the postal group.
    """
    seg = segments.customer_segments(customers)
    postal = seg[segments.POSTAL].to_numpy(np.int64)
    counts = np.bincount(postal[postal >= 0], minlength=int(postal.max()) + 1 if len(postal) else 0)
    big = (postal >= 0) & (counts[np.maximum(postal, 0)] >= int(min_postal_customers)) if len(postal) else postal >= 0
    group = np.where(big, postal, POOLED_POSTAL)
    band = seg[segments.AGE_BAND].to_numpy(np.int64)
    ids = seg[c.CUSTOMER_ID].to_numpy(np.int64)
    keys = np.full(int(ids.max()) + 1 if len(ids) else 0, -1, dtype=np.int64)
    keys[ids] = (group - POOLED_POSTAL) * 64 + (band - segments.UNKNOWN)  # both parts >= 0, band < 64
    return keys


def cold_customers(candidates: pd.DataFrame, personal: Sequence[str]) -> np.ndarray:
    """Sorted ids of the customers in ``candidates`` none of whose rows a personal strategy proposed.

    candidates: merged candidate rows with ``by_<s>`` columns; personal: the strategy names whose
    lists are the customer's own (repurchase, items bought together, ALS, ...). A name without
    a ``by_`` column is ignored (that strategy proposed nothing this week).
    """
    ids = candidates[c.CUSTOMER_ID].to_numpy(np.int32)
    columns = [f"by_{s}" for s in personal if f"by_{s}" in candidates.columns]
    own = np.zeros(len(candidates), dtype=bool)
    for col in columns:
        own |= candidates[col].to_numpy() > 0
    everyone = np.unique(ids)
    return np.setdiff1d(everyone, np.unique(ids[own]), assume_unique=True).astype(np.int32)


class SegmentSharing:
    """Finds the cold members of candidate chunks given in ascending customer order.

    keys: from :func:`segment_keys`; personal: as in :func:`cold_customers`. State carried across
    chunks: each segment's representative, fixed by the first chunk that holds the segment.
    """

    def __init__(self, keys: np.ndarray, personal: Sequence[str]):
        self.keys = keys
        self.personal = tuple(personal)
        self._representative: dict[int, int] = {}
        self._last_id = -1

    @property
    def segments(self) -> int:
        return len(self._representative)

    def members(self, chunk: pd.DataFrame) -> pd.DataFrame:
        """``customer_id, representative`` (int32) of every cold customer of ``chunk``, by id.

        chunk: merged candidate rows (``customer_id`` and ``by_<s>`` columns) of customers all
        above the previous chunk's; a representative maps to itself.
        """
        cold = cold_customers(chunk, self.personal)
        if len(cold) and cold[0] <= self._last_id:
            raise ValueError(f"candidate chunks must come in ascending customer order: {cold[0]} after {self._last_id}")
        if len(chunk):
            self._last_id = max(self._last_id, int(chunk[c.CUSTOMER_ID].max()))
        keys = self.keys[cold]
        first = pd.Series(cold, dtype=np.int32).groupby(keys, sort=False).min()
        new = first[~first.index.isin(list(self._representative))]
        self._representative.update(zip(new.index.tolist(), new.to_numpy().tolist()))
        reps = pd.Series(self._representative, dtype=np.int64)
        return pd.DataFrame({c.CUSTOMER_ID: cold, REPRESENTATIVE: reps.reindex(keys).to_numpy(np.int32)})


def unscored(members: pd.DataFrame) -> np.ndarray:
    """Ids of the cold members whose own rows are not scored (all but the representatives)."""
    return members.loc[members[c.CUSTOMER_ID] != members[REPRESENTATIVE], c.CUSTOMER_ID].to_numpy(np.int32)


def rows_to_score(candidates: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """``candidates`` without the rows of cold members other than their segment's representative."""
    if members.empty:
        return candidates
    return candidates[~np.isin(candidates[c.CUSTOMER_ID].to_numpy(), unscored(members))]


def share_picks(picks: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Each cold member's copy of its representative's picks; everyone else's picks unchanged.

    picks: ``customer_id, article_id, rank`` (the representatives' among them); members:
    ``customer_id, representative``. Returns the same columns, sorted by customer and rank.
    """
    if members.empty:
        return picks
    others = members[members[c.CUSTOMER_ID] != members[REPRESENTATIVE]]
    copied = others.merge(picks, left_on=REPRESENTATIVE, right_on=c.CUSTOMER_ID, suffixes=("", "_rep"))
    copied = copied.drop(columns=[REPRESENTATIVE, f"{c.CUSTOMER_ID}_rep"])[list(picks.columns)]
    out = pd.concat([picks[~picks[c.CUSTOMER_ID].isin(others[c.CUSTOMER_ID])], copied], ignore_index=True)
    return out.sort_values([c.CUSTOMER_ID, c.RANK], kind="stable").reset_index(drop=True)

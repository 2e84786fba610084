"""Cold customers with the same candidates share one set of feature rows and one scored list.

At H&M scale the predicted week needs a ranking for all 1.37M customers, but about half of them
have no recent history: every one of their candidates comes from a strategy that proposes one
list to a whole segment (popularity, trending, the age band's and the postal code's
bestsellers). Two such "cold" customers with the same age band and the same postal-code list
have identical candidate rows; they differ only through their own customer features (exact
age, a purchase long ago). Scoring them once, through one representative, removes the other
members' rows from the feature join and from scoring by every model.

Definitions (pure numpy/pandas, no Dagster):

- cold: none of the customer's candidate rows comes from a personal strategy (``by_<s>`` is 0 for
  every ``s`` in ``personal``);
- a cold customer's group: the cold customers whose candidate rows are identical in every column
  but ``customer_id`` (a 64-bit fingerprint of the rows). Nothing here knows which strategies
  use age or postal codes, so this holds for any registry and any shop;
- representative: the group's cold customer with the smallest id. Chunks are processed in
  ascending customer order, so the choice does not depend on the chunk size.

The approximation: members get the list ranked with the representative's customer features.
``benchmarks/bench_sharing.py`` measures its cost on known weeks (about nothing on `small`:
customer features barely reorder a cold customer's list; pooling different postal-code lists
instead cost 30% of the cold buyers' MAP@12).
"""

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hm_assets import columns as c

REPRESENTATIVE = "representative"


def candidate_fingerprints(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``(customer ids, fingerprints)``: one uint64 per customer of its candidate rows.

    rows: candidate rows sorted by ``customer_id``. The fingerprint sums a hash of each row's
    columns other than ``customer_id`` (modulo 2**64), so it does not depend on row order
    within a customer; equal row sets give equal fingerprints, different ones collide with
    probability ~2**-64.
    """
    ids = rows[c.CUSTOMER_ID].to_numpy(np.int32)
    if len(ids) == 0:
        return ids, np.zeros(0, dtype=np.uint64)
    if (np.diff(ids) < 0).any():
        raise ValueError("candidate rows must be sorted by customer_id")
    row_hash = pd.util.hash_pandas_object(rows.drop(columns=[c.CUSTOMER_ID]), index=False).to_numpy(np.uint64)
    starts = np.flatnonzero(np.concatenate([[True], ids[1:] != ids[:-1]]))
    with np.errstate(over="ignore"):
        sums = np.add.reduceat(row_hash, starts)
    return ids[starts], sums


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


class ColdGroups:
    """Finds the cold members of candidate chunks given in ascending customer order.

    personal: as in :func:`cold_customers`. State carried across chunks: each group's
    representative, fixed by the first chunk that holds the group.
    """

    def __init__(self, personal: Sequence[str]):
        self.personal = tuple(personal)
        self._keys = np.zeros(0, dtype=np.uint64)  # sorted fingerprints of the groups seen so far
        self._reps = np.zeros(0, dtype=np.int32)  # their representatives, in the same order
        self._last_id = -1

    @property
    def groups(self) -> int:
        return len(self._keys)

    def members(self, chunk: pd.DataFrame) -> pd.DataFrame:
        """``customer_id, representative`` (int32) of every cold customer of ``chunk``, by id.

        chunk: merged candidate rows (``customer_id``, ``by_<s>`` and the other candidate
        columns), sorted by customer, of customers all above the previous chunk's; a
        representative maps to itself.
        """
        cold = cold_customers(chunk, self.personal)
        if len(cold) and cold[0] <= self._last_id:
            raise ValueError(f"candidate chunks must come in ascending customer order: {cold[0]} after {self._last_id}")
        if len(chunk):
            self._last_id = max(self._last_id, int(chunk[c.CUSTOMER_ID].max()))
        ids, keys = candidate_fingerprints(chunk[np.isin(chunk[c.CUSTOMER_ID].to_numpy(), cold)])
        order = np.lexsort((ids, keys))  # by fingerprint, then id: each group's first is its smallest id
        sorted_keys = keys[order]
        first = np.concatenate([[True], sorted_keys[1:] != sorted_keys[:-1]]) if len(order) else np.zeros(0, bool)
        group_keys, group_first = sorted_keys[first], ids[order][first]
        new = ~self._known(group_keys)
        merged_keys = np.concatenate([self._keys, group_keys[new]])
        merged_reps = np.concatenate([self._reps, group_first[new]])
        by_key = np.argsort(merged_keys, kind="stable")
        self._keys, self._reps = merged_keys[by_key], merged_reps[by_key]
        return pd.DataFrame({c.CUSTOMER_ID: ids, REPRESENTATIVE: self._reps[np.searchsorted(self._keys, keys)]})

    def _known(self, keys: np.ndarray) -> np.ndarray:
        pos = np.minimum(np.searchsorted(self._keys, keys), max(len(self._keys) - 1, 0))
        return (self._keys[pos] == keys) if len(self._keys) else np.zeros(len(keys), dtype=bool)


def unscored(members: pd.DataFrame) -> np.ndarray:
    """Ids of the cold members whose own rows are not scored (all but the representatives)."""
    return members.loc[members[c.CUSTOMER_ID] != members[REPRESENTATIVE], c.CUSTOMER_ID].to_numpy(np.int32)


def rows_to_score(candidates: pd.DataFrame, unscored_ids: np.ndarray) -> pd.DataFrame:
    """``candidates`` without the rows of the customers in ``unscored_ids`` (from :func:`unscored`:
    the cold members other than their group's representative)."""
    if len(unscored_ids) == 0:
        return candidates
    return candidates[~np.isin(candidates[c.CUSTOMER_ID].to_numpy(), unscored_ids)]


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

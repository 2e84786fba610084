"""Sort-based distinct values for large integer arrays.

numpy 2.4's ``np.unique`` goes through a hash table that is many times slower than a sort on
tens of millions of int64 keys (30 s against 1-2 s here), so the feature code uses these.
Results match ``np.unique``: sorted distinct values, counts, inverse indices.
"""

import numpy as np


def run_starts(sorted_values: np.ndarray) -> np.ndarray:
    """True where a run of equal values starts in a sorted array."""
    if len(sorted_values) == 0:
        return np.zeros(0, dtype=bool)
    return np.r_[True, sorted_values[1:] != sorted_values[:-1]]


def run_ends(sorted_values: np.ndarray) -> np.ndarray:
    """True where a run of equal values ends in a sorted array."""
    if len(sorted_values) == 0:
        return np.zeros(0, dtype=bool)
    return np.r_[sorted_values[1:] != sorted_values[:-1], True]


def unique(values: np.ndarray, return_index: bool = False, return_counts: bool = False):
    """``np.unique`` by sorting. Same outputs: sorted distinct values, then the first index of
    each (if asked), then counts (if asked)."""
    values = np.asarray(values)
    order = np.argsort(values, kind="stable") if return_index else None
    ordered = values[order] if return_index else np.sort(values)
    first = run_starts(ordered)
    out = [ordered[first]]
    if return_index:
        out.append(order[first])
    if return_counts:
        out.append(np.diff(np.r_[np.flatnonzero(first), len(ordered)]))
    return out[0] if len(out) == 1 else tuple(out)


def isin_sorted(values: np.ndarray, sorted_unique: np.ndarray) -> np.ndarray:
    """``np.isin(values, sorted_unique)`` for a sorted, distinct right side, by binary search."""
    if not len(sorted_unique):
        return np.zeros(len(values), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_unique, values), len(sorted_unique) - 1)
    return sorted_unique[pos] == values


def unique_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values and how often each occurs."""
    s = np.sort(values)
    starts = np.flatnonzero(run_starts(s))
    return s[starts], np.diff(np.r_[starts, len(s)])


def unique_inverse(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values and, for each input, the index of its value among them."""
    order = np.argsort(values, kind="stable")
    s = values[order]
    starts = run_starts(s)
    inverse = np.empty(len(values), dtype=np.int64)
    inverse[order] = np.cumsum(starts) - 1
    return s[starts], inverse

"""Bit-packed integer keys, so that joins and set tests run on one int64 array.

- a (customer, article) pair: ``customer << 31 | article`` (article ids are 9-digit Kaggle ids,
  below 2**31; customer ids are dense int32 indices);
- a (customer, day) pair: ``customer << 20 | day offset`` (day offsets below 2**20, about 2,870
  years of days).

Pure numpy; every packing in the project goes through these functions.
"""

import numpy as np

ARTICLE_BITS = 31
DAY_BITS = 20
_ARTICLE_MASK = (1 << ARTICLE_BITS) - 1
_DAY_MASK = (1 << DAY_BITS) - 1


def pair_key(customers, articles) -> np.ndarray:
    """One int64 per (customer, article) pair; sorting the keys sorts by customer, then article."""
    return (np.asarray(customers).astype(np.int64) << ARTICLE_BITS) | np.asarray(articles).astype(np.int64)


def split_pair_key(keys) -> tuple[np.ndarray, np.ndarray]:
    """``(customers, articles)`` as int32 arrays from :func:`pair_key` keys."""
    keys = np.asarray(keys, dtype=np.int64)
    return (keys >> ARTICLE_BITS).astype(np.int32), (keys & _ARTICLE_MASK).astype(np.int32)


def day_key(customers, day_offsets) -> np.ndarray:
    """One int64 per (customer, day offset) pair; offsets must be in ``[0, 2**20)``."""
    return (np.asarray(customers).astype(np.int64) << DAY_BITS) | np.asarray(day_offsets).astype(np.int64)


def split_day_key(keys) -> tuple[np.ndarray, np.ndarray]:
    """``(customers, day offsets)`` from :func:`day_key` keys."""
    keys = np.asarray(keys, dtype=np.int64)
    return keys >> DAY_BITS, keys & _DAY_MASK


GROUP_BITS = 32


def group_key(customers, groups) -> np.ndarray:
    """One int64 per (customer, group code) pair, for codes in ``[0, 2**32)`` (a product, a
    product type, ... as ``stats.group_codes`` numbers them); sorts by customer, then code."""
    return (np.asarray(customers).astype(np.int64) << GROUP_BITS) | np.asarray(groups).astype(np.int64)

"""Which customers a week's per-customer tables are built for.

A past week (its purchases are in the data) is scored by MAP@12 on its buyers only, and rankers
are labelled on them, so its scope is W's distinct buyers (about 5% of customers at H&M scale).
The target week (no purchases known) is scored for every customer. Everything built per
customer must not depend on which other customers are in scope: restricting a past week to its
buyers then changes nothing for them and leaks nothing about who bought.
"""

import numpy as np

from hm_assets import calendar
from hm_assets import columns as c
from hm_assets.io.storage import ParquetHandle
from hm_assets.recsys import stats


def known_week(transactions: ParquetHandle, week: str) -> bool:
    """Whether week ``week``'s purchases are in the data (its part exists and has rows)."""
    key = calendar.week_key(week)
    return key in transactions.names and transactions.select([key]).num_rows() > 0


def scope_customers(transactions: ParquetHandle, week: str, n_customers: int) -> np.ndarray:
    """The customers week ``week`` is built for, as sorted unique int32 ids.

    transactions: the week-parted transactions table (only ``week``'s own part is opened).
    Returns W's distinct buyers if W's part exists and has rows (a past week); otherwise (the
    target week, or a week with no recorded purchases) every customer ``0..n_customers-1``.
    """
    if known_week(transactions, week):
        ids = transactions.select([calendar.week_key(week)]).read([c.CUSTOMER_ID]).column(c.CUSTOMER_ID).to_numpy()
        return stats.unique(ids).astype(np.int32, copy=False)
    return np.arange(n_customers, dtype=np.int32)

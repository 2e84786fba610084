"""Split a transactions table into one slice per calendar week."""

from collections.abc import Iterator, Sequence

import numpy as np
import pyarrow as pa

from hm_assets import calendar
from hm_assets import columns as c

_EPOCH_DAYS = np.datetime64("1970-01-01", "D")


def split_by_week(table: pa.Table, week_keys: Sequence[str]) -> Iterator[tuple[str, pa.Table]]:
    """Yield ``(week_key, rows of that week)`` for every key, empty weeks included, in order.

    Every row must fall inside ``[week_keys[0], end of week_keys[-1])``; the date-range check
    guards that before this runs, and a row outside raises here rather than being dropped.
    """
    first = np.datetime64(calendar.week_key(week_keys[0]), "D")
    days = table.column(c.T_DAT).to_numpy().astype("datetime64[D]")
    week_index = ((days - first).astype(np.int64)) // calendar.WEEK_DAYS
    if len(week_index) and (week_index.min() < 0 or week_index.max() >= len(week_keys)):
        raise ValueError(f"transactions fall outside the weeks {week_keys[0]}..{week_keys[-1]}")
    order = np.argsort(week_index, kind="stable")
    ordered = table.take(pa.array(order))
    bounds = np.searchsorted(week_index[order], np.arange(len(week_keys) + 1))
    for i, key in enumerate(week_keys):
        yield key, ordered.slice(bounds[i], bounds[i + 1] - bounds[i])

"""Split a transactions table into one slice per calendar week."""

import datetime as dt
from collections.abc import Iterator, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hm_assets import calendar
from hm_assets import columns as c


def last_day(table: pa.Table) -> dt.date | None:
    """The latest ``t_dat`` in the table (None if it has no rows): where the calendar ends."""
    latest = pc.max(table.column(c.T_DAT)).as_py()
    return calendar.as_date(latest) if latest is not None else None


def split_by_week(table: pa.Table, week_keys: Sequence[str]) -> Iterator[tuple[str, pa.Table]]:
    """Yield ``(week_key, rows of that week)`` for every key, empty weeks included, in order.

    Every row must fall inside ``[week_keys[0], end of week_keys[-1])``; the date-range check
    guards that before this runs, and a row outside raises here rather than being dropped.
    """
    first = calendar.day_number(week_keys[0])
    days = pc.cast(table.column(c.T_DAT), pa.int32()).to_numpy()
    week_index = calendar.weeks_since(days, first)
    del days
    if len(week_index) and (week_index.min() < 0 or week_index.max() >= len(week_keys)):
        raise ValueError(f"transactions fall outside the weeks {week_keys[0]}..{week_keys[-1]}")
    # one index array and one week at a time: never a second full copy of the table
    order = np.argsort(week_index, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(week_index, minlength=len(week_keys)))])
    del week_index
    for i, key in enumerate(week_keys):
        yield key, table.take(pa.array(order[bounds[i] : bounds[i + 1]]))

"""Time windows over the week-parted transactions table.

The stored ``transactions`` table has one part per week, named by the week key, so selecting
weeks is selecting files: a week's work reads only the weeks it needs.
"""

from collections.abc import Sequence

import pandas as pd

from hm_assets import calendar, schemas
from hm_assets.io.storage import ParquetHandle, table_to_pandas


def weeks_before(handle: ParquetHandle, week: str, weeks: int | None = None) -> ParquetHandle:
    """The parts strictly before ``week``; only the last ``weeks`` of them if given."""
    week = calendar.week_key(week)
    earlier = sorted(n for n in handle.names if n < week)
    if weeks is not None:
        earlier = earlier[-weeks:] if weeks > 0 else []
    return handle.select(earlier)


def read_weeks(handle: ParquetHandle, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The selected weeks as one frame; an empty, typed frame if none (the first week)."""
    if not handle.names:
        empty = schemas.TRANSACTIONS.empty_table()
        return table_to_pandas(empty.select(list(columns)) if columns else empty)
    return handle.to_pandas(columns)


def week_rows(handle: ParquetHandle, week: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The transactions of ``week`` itself (the purchases a backtest scores)."""
    key = calendar.week_key(week)
    if key not in handle.names:
        raise KeyError(f"week {key} is not in the transactions table (weeks {handle.names[0]}..{handle.names[-1]})")
    return handle.select([key]).to_pandas(columns)

"""The one reader of the week-parted transactions table.

The stored ``transactions`` table has one part per week, named by the week key, so selecting
weeks is selecting files: a week's work reads only the weeks it needs. Selections
(:func:`weeks_before`, :func:`weeks_ending`) return a narrower ``ParquetHandle`` and read
nothing; the readers then load the selected parts either as one pandas frame
(:func:`read_weeks`, :func:`week_rows`, for the recommender) or as ``stats.Tx`` numpy arrays
(:func:`read_tx`, :func:`iter_weeks`, for the statistics), only the columns asked for.
"""

from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from hm_assets import calendar, schemas
from hm_assets import columns as c
from hm_assets.io.storage import ParquetHandle, table_to_pandas
from hm_assets.recsys import stats


# --- selecting weeks (no data read) ---------------------------------------------------------------
def weeks_before(handle: ParquetHandle, week: str, weeks: int | None = None) -> ParquetHandle:
    """The parts strictly before ``week``; only the last ``weeks`` of them if given."""
    week = calendar.week_key(week)
    earlier = sorted(n for n in handle.names if n < week)
    if weeks is not None:
        earlier = earlier[-weeks:] if weeks > 0 else []
    return handle.select(earlier)


def weeks_ending(handle: ParquetHandle, week: str | None, weeks: int | None = None) -> ParquetHandle:
    """The parts up to and including ``week``; only the last ``weeks`` of them if given.

    ``week`` None (no week to end with, e.g. no week has purchases) selects nothing.
    """
    if week is None:
        return handle.select([])
    return weeks_before(handle, calendar.week_key(calendar.shift_week(week, 1)), weeks)


def rows_per_week(handle: ParquetHandle) -> dict[str, int]:
    """Rows of each stored week part, from the Parquet footers (no data read)."""
    return {name: handle.select([name]).num_rows() for name in handle.names}


def last_week_with_rows(handle: ParquetHandle) -> str | None:
    """The last week part that holds purchases (the target week's part is empty); None if none."""
    weeks = [w for w, n in rows_per_week(handle).items() if n]
    return weeks[-1] if weeks else None


# --- reading as pandas ----------------------------------------------------------------------------
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


# --- reading as stats.Tx arrays -------------------------------------------------------------------
# stored transactions column -> (stats.Tx field, dtype stats.Tx documents)
TX_FIELDS = {
    c.T_DAT: ("day", np.int32),
    c.CUSTOMER_ID: ("customer", np.int64),
    c.ARTICLE_ID: ("article", np.int64),
    c.PRICE: ("price", np.float64),
    c.SALES_CHANNEL_ID: ("channel", np.int16),
}


def _absent(dtype, n: int) -> np.ndarray:
    """A zero-stride constant array standing in for a column not read (no memory)."""
    return np.broadcast_to(np.zeros((), dtype), (n,))


def _column(table: pa.Table, name: str, dtype) -> np.ndarray:
    col = table.column(name)
    if pa.types.is_date32(col.type):
        return col.cast(pa.int32()).to_numpy().astype(dtype, copy=False)  # date32 is days since epoch
    if name == c.T_DAT:
        return calendar.day_numbers(col.to_pandas()).astype(dtype, copy=False)
    return col.to_numpy().astype(dtype, copy=False)


def tx_from_arrow(table: pa.Table) -> stats.Tx:
    """``stats.Tx`` from a transactions table holding any subset of the stored columns.

    Absent columns become zero-stride constant arrays (no memory), so a statistic that needs
    only days and customers costs only those two columns.
    """
    n = table.num_rows
    arrays = {
        field: _column(table, name, dtype) if name in table.column_names else _absent(dtype, n)
        for name, (field, dtype) in TX_FIELDS.items()
    }
    return stats.Tx(**arrays)


def iter_weeks(handle: ParquetHandle, columns: Sequence[str]) -> Iterator[tuple[str, stats.Tx]]:
    """``(week key, that week's rows)`` for every selected part, reading only ``columns``."""
    for name in handle.names:
        yield name, tx_from_arrow(handle.select([name]).read(list(columns)))


def read_tx(handle: ParquetHandle, columns: Sequence[str]) -> stats.Tx:
    """The rows of the selected parts, only ``columns``, as one ``stats.Tx`` (empty if none).

    Arrays are allocated once from the footers' row counts and filled part by part, so the peak
    is the result plus one part (no concatenation copy).
    """
    n = handle.num_rows()
    wanted = {name: TX_FIELDS[name] for name in columns}
    out = {field: np.empty(n, dtype) for field, dtype in wanted.values()}
    pos = 0
    for name in handle.names if n else []:
        table = handle.select([name]).read(list(columns))
        for col, (field, dtype) in wanted.items():
            out[field][pos : pos + table.num_rows] = _column(table, col, dtype)
        pos += table.num_rows
    for field, dtype in TX_FIELDS.values():
        out.setdefault(field, _absent(dtype, n))
    return stats.Tx(**out)

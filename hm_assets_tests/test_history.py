"""The one reader of the week-parted transactions table: week selection and the two readers
(pandas frames for the recommender, ``stats.Tx`` arrays for the statistics)."""

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest
from upath import UPath

from hm_assets import calendar
from hm_assets import columns as c
from hm_assets.io.storage import ParquetHandle, Parts, resolve, write_parts
from hm_assets.recsys import history

# week key -> rows (day, customer, article); 2020-09-09 and the target week 2020-09-30 are empty
WEEKS = {
    "2020-08-26": [("2020-08-27", 1, 11)],
    "2020-09-02": [("2020-09-02", 2, 12), ("2020-09-08", 3, 13)],
    "2020-09-09": [],
    "2020-09-16": [("2020-09-16", 1, 11), ("2020-09-17", 1, 14)],
    "2020-09-23": [("2020-09-25", 5, 11)],
    "2020-09-30": [],
}


def part(rows) -> pa.Table:
    return pa.table(
        {
            c.T_DAT: pa.array([dt.date.fromisoformat(r[0]) for r in rows], pa.date32()),
            c.CUSTOMER_ID: pa.array([r[1] for r in rows], pa.int32()),
            c.ARTICLE_ID: pa.array([r[2] for r in rows], pa.int32()),
            c.PRICE: pa.array([0.02] * len(rows), pa.float32()),
            c.SALES_CHANNEL_ID: pa.array([2] * len(rows), pa.int8()),
        }
    )


@pytest.fixture
def handle(tmp_path) -> ParquetHandle:
    target = UPath(tmp_path) / "transactions"
    write_parts(Parts([(week, part(rows)) for week, rows in WEEKS.items()]), target)
    return ParquetHandle(resolve(target))


def test_weeks_before_selects_strictly_earlier_parts():
    handle = ParquetHandle({k: None for k in ["2020-09-02", "2020-09-09", "2020-09-16", "2020-09-23"]})
    assert history.weeks_before(handle, "2020-09-16").names == ["2020-09-02", "2020-09-09"]
    assert history.weeks_before(handle, "2020-09-16", weeks=1).names == ["2020-09-09"]
    assert history.weeks_before(handle, "2020-09-02").names == []


def test_weeks_ending_includes_the_week_itself():
    handle = ParquetHandle({k: None for k in WEEKS})
    assert history.weeks_ending(handle, "2020-09-16", 3).names == ["2020-09-02", "2020-09-09", "2020-09-16"]
    assert history.weeks_ending(handle, "2020-09-02", 4).names == ["2020-08-26", "2020-09-02"]
    assert history.weeks_ending(handle, "2020-08-26").names == ["2020-08-26"]
    assert history.weeks_ending(handle, "2020-09-16", 0).names == []
    assert history.weeks_ending(handle, None, 4).names == []


def test_last_week_with_rows_skips_the_empty_target_week(handle):
    assert history.rows_per_week(handle) == {w: len(rows) for w, rows in WEEKS.items()}
    assert history.last_week_with_rows(handle) == "2020-09-23"
    assert history.last_week_with_rows(handle.select(["2020-09-09", "2020-09-30"])) is None


def test_tx_from_arrow_reads_only_the_given_columns():
    table = part(WEEKS["2020-09-16"]).select([c.T_DAT, c.CUSTOMER_ID])
    tx = history.tx_from_arrow(table)
    assert tx.day.tolist() == [calendar.day_number("2020-09-16"), calendar.day_number("2020-09-17")]
    assert tx.customer.tolist() == [1, 1] and tx.customer.dtype == np.int64
    assert tx.article.tolist() == [0, 0] and tx.article.strides == (0,)  # absent: no memory


def test_read_tx_reads_the_selected_weeks_only(handle):
    tx = history.read_tx(history.weeks_ending(handle, "2020-09-16", 3), [c.T_DAT, c.ARTICLE_ID])
    assert tx.article.tolist() == [12, 13, 11, 14]
    assert tx.day[0] == calendar.day_number("2020-09-02") and tx.customer.strides == (0,)
    empty = history.read_tx(handle.select(["2020-09-09"]), [c.PRICE])
    assert len(empty) == 0 and empty.price.dtype == np.float64
    assert len(history.read_tx(handle.select([]), [c.PRICE])) == 0


def test_iter_weeks_yields_every_part_in_order(handle):
    weeks = [(week, tx.customer.tolist()) for week, tx in history.iter_weeks(handle, [c.CUSTOMER_ID])]
    assert weeks == [(w, [r[1] for r in rows]) for w, rows in WEEKS.items()]


def test_pandas_and_array_readers_agree(handle):
    before = history.weeks_before(handle, "2020-09-23")
    frame = history.read_weeks(before, [c.T_DAT, c.CUSTOMER_ID, c.ARTICLE_ID])
    tx = history.read_tx(before, [c.T_DAT, c.CUSTOMER_ID, c.ARTICLE_ID])
    assert calendar.day_numbers(frame[c.T_DAT]).tolist() == tx.day.tolist()
    assert frame[c.ARTICLE_ID].tolist() == tx.article.tolist() == [11, 12, 13, 11, 14]
    assert history.week_rows(handle, "2020-09-23", [c.CUSTOMER_ID])[c.CUSTOMER_ID].tolist() == [5]
    with pytest.raises(KeyError, match="2020-10-07 is not in the transactions table"):
        history.week_rows(handle, "2020-10-07")


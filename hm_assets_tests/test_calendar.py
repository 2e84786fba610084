import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from hm_assets import calendar
from hm_assets.partitions import weekly_partitions
from hm_assets.settings import Settings


def test_weeks_start_on_wednesday():
    assert calendar.week_start("2020-09-22") == dt.date(2020, 9, 16)  # Tuesday -> its Wednesday
    assert calendar.week_start("2020-09-16") == dt.date(2020, 9, 16)
    assert calendar.week_start("2018-09-20") == dt.date(2018, 9, 19)


def test_hm_partitions_run_from_first_week_to_target_week(tmp_path):
    # an empty warehouse: stored transactions (e.g. `make demo`'s in ./data) would set the weeks
    settings = Settings(warehouse=str(tmp_path))
    keys = weekly_partitions(settings).get_partition_keys()
    assert (len(keys), keys[0], keys[-1]) == (106, "2018-09-19", "2020-09-23")
    assert keys == calendar.week_keys(settings.first_day, settings.expected_last_day)


def test_last_day_is_not_needed_any_more():
    assert Settings.from_env({}).last_day is None  # the stored data decides (hm_assets.partitions)


def test_other_date_ranges_come_from_settings(tmp_path):
    # without stored transactions; `make demo` leaves some in ./data, the default warehouse
    s = Settings.from_env({"HM_FIRST_DAY": "2021-01-01", "HM_LAST_DAY": "2021-03-10", "HM_WAREHOUSE": str(tmp_path)})
    keys = weekly_partitions(s).get_partition_keys()
    # 2021-01-01 is a Friday -> week of Wed 2020-12-30; 2021-03-10 is a Wednesday -> target 2021-03-17
    assert keys[0] == "2020-12-30" and keys[-1] == "2021-03-17"
    assert s.last_known_week == dt.date(2021, 3, 10)


def test_settings_reject_inverted_range():
    with pytest.raises(ValueError, match="before first_day"):
        Settings.from_env({"HM_FIRST_DAY": "2021-01-01", "HM_LAST_DAY": "2020-01-01"})


def test_day_numbers_are_arrow_date32_values():
    day = dt.date(2020, 9, 16)
    assert calendar.day_number(day) == pa.array([day], pa.date32()).cast(pa.int32())[0].as_py() == 18521
    assert calendar.from_day_number(18521) == day


def test_day_number_accepts_every_day_form():
    day = 18521  # 2020-09-16
    for value in (dt.date(2020, 9, 16), dt.datetime(2020, 9, 16, 13, 5), "2020-09-16",
                  np.datetime64("2020-09-16T10:00"), pd.Timestamp("2020-09-16 23:59"), day, np.int32(day)):
        assert calendar.day_number(value) == day, value
    assert calendar.shift_day("2020-09-22", 1) == dt.date(2020, 9, 23)
    assert calendar.day_count("2018-09-20", "2020-09-22") == 734  # H&M's days, 2020 a leap year
    assert calendar.day_count("2020-09-22", "2020-09-22") == 1


def test_day_numbers_of_every_t_dat_dtype():
    want = [18521, 18527]  # 2020-09-16, 2020-09-22
    dates = pd.Series(pd.to_datetime(["2020-09-16 00:00", "2020-09-22 18:00"]))
    for column in (dates, dates.astype("datetime64[s]"), dates.dt.tz_localize("Europe/Stockholm"),
                   dates.dt.date, pd.Series(["2020-09-16", "2020-09-22"]),
                   pd.Series(pa.array([dt.date(2020, 9, 16), dt.date(2020, 9, 22)], pa.date32()).to_pandas(types_mapper=pd.ArrowDtype))):
        days = calendar.day_numbers(column)
        assert days.dtype == np.int32 and days.tolist() == want, column.dtype


def test_week_bounds_are_half_open_day_numbers():
    start, end = calendar.week_bounds("2020-09-16")
    assert (start, end) == (18521, 18528)
    assert calendar.from_day_number(end - 1) == dt.date(2020, 9, 22)  # the Tuesday is the last day in
    assert calendar.week_count("2018-09-20", "2020-09-22") == 105  # 2018-09-19 .. 2020-09-16
    assert calendar.week_count("2020-09-16", "2020-09-22") == 1
    assert calendar.week_count("2020-09-15", "2020-09-16") == 2  # a Tuesday and the next day


def test_vectorised_weekdays_and_week_starts_match_the_scalar_functions():
    days = np.arange(calendar.day_number("2020-09-12"), calendar.day_number("2020-09-27"))
    as_dates = [calendar.from_day_number(d) for d in days]
    assert calendar.weekdays(days).tolist() == [d.weekday() for d in as_dates]
    assert calendar.week_start_days(days).tolist() == [calendar.day_number(calendar.week_start(d)) for d in as_dates]
    assert calendar.days_into_week(calendar.dates_of(days)).tolist() == [(d.weekday() - 2) % 7 for d in as_dates]
    assert calendar.weekdays(np.array([0])).tolist() == [3]  # 1970-01-01 was a Thursday


def test_dates_and_day_of_year():
    days = calendar.dates("2020-12-30", np.arange(4))
    assert days.astype(str).tolist() == ["2020-12-30", "2020-12-31", "2021-01-01", "2021-01-02"]
    assert calendar.day_of_year(days).tolist() == [365, 366, 1, 2]  # 2020 is a leap year
    assert calendar.day_of_year(np.array([calendar.day_number("2019-03-01")])).tolist() == [60]
    assert calendar.dates(dt.date(2020, 9, 16), 6) == np.datetime64("2020-09-22")
    assert calendar.dates_of(np.array([18521])).astype(str).tolist() == ["2020-09-16"]


def test_weeks_since_rounds_down_and_keeps_the_dtype():
    start = calendar.day_number("2020-09-16")
    days = np.array([start - 1, start, start + 6, start + 7, start + 20], np.int32)
    weeks = calendar.weeks_since(days, start)
    assert weeks.tolist() == [-1, 0, 0, 1, 2] and weeks.dtype == np.int32
    assert calendar.weeks_since(days[3:], days[:2]).tolist() == [1, 2]  # per-row starts

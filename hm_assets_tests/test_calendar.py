import datetime as dt

import pytest

from hm_assets import calendar
from hm_assets.partitions import weekly_partitions
from hm_assets.settings import Settings


def test_weeks_start_on_wednesday():
    assert calendar.week_start("2020-09-22") == dt.date(2020, 9, 16)  # Tuesday -> its Wednesday
    assert calendar.week_start("2020-09-16") == dt.date(2020, 9, 16)
    assert calendar.week_start("2018-09-20") == dt.date(2018, 9, 19)


def test_hm_partitions_run_from_first_week_to_target_week():
    keys = weekly_partitions(Settings()).get_partition_keys()
    assert (len(keys), keys[0], keys[-1]) == (106, "2018-09-19", "2020-09-23")
    assert keys == calendar.week_keys(Settings().first_day, Settings().expected_last_day)


def test_last_day_is_not_needed_any_more():
    assert Settings.from_env({}).last_day is None  # the stored data decides (hm_assets.partitions)


def test_other_date_ranges_come_from_settings():
    s = Settings.from_env({"HM_FIRST_DAY": "2021-01-01", "HM_LAST_DAY": "2021-03-10"})
    keys = weekly_partitions(s).get_partition_keys()
    # 2021-01-01 is a Friday -> week of Wed 2020-12-30; 2021-03-10 is a Wednesday -> target 2021-03-17
    assert keys[0] == "2020-12-30" and keys[-1] == "2021-03-17"
    assert s.last_known_week == dt.date(2021, 3, 10)


def test_settings_reject_inverted_range():
    with pytest.raises(ValueError, match="before first_day"):
        Settings.from_env({"HM_FIRST_DAY": "2021-01-01", "HM_LAST_DAY": "2020-01-01"})


def test_day_numbers_are_arrow_date32_values():
    import pyarrow as pa

    day = dt.date(2020, 9, 16)
    assert calendar.day_number(day) == pa.array([day], pa.date32()).cast(pa.int32())[0].as_py() == 18521
    assert calendar.from_day_number(18521) == day

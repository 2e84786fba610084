"""The week calendar: H&M weeks run Wednesday 00:00 to the next Wednesday.

A week is named by the Wednesday that starts it (an ISO date string, as Dagster partition keys
are). "Week W" means: what is known at W's start, used to predict the purchases during W.

Days are either dates or *day numbers* (days since 1970-01-01, the integer Arrow stores for a
``date32``); the vectorised functions take numpy arrays of day numbers or ``datetime64``.
Every day and week computation in the project goes through here. Pure functions, no Dagster.
"""

import datetime as dt

import numpy as np
import pandas as pd

WEEK_DAYS = 7
WEDNESDAY = 2  # datetime.date.weekday(): Monday = 0
EPOCH = dt.date(1970, 1, 1)  # Arrow's date32 counts days from here
_EPOCH64 = np.datetime64(EPOCH, "D")


def as_date(value: "dt.date | str | np.datetime64") -> dt.date:
    """Accept a ``date`` (a ``datetime`` or ``pd.Timestamp`` is cut to its day), a
    ``np.datetime64`` or an ISO ``YYYY-MM-DD`` string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return from_day_number(int(value.astype("datetime64[D]").astype(np.int64)))
    return dt.date.fromisoformat(str(value))


def day_number(day: "dt.date | str | np.datetime64 | int") -> int:
    """Days since 1970-01-01: the integer Arrow stores for a ``date32``. An integer is taken to
    be a day number already and returned as is."""
    if isinstance(day, (int, np.integer)):
        return int(day)
    return (as_date(day) - EPOCH).days


def from_day_number(days: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(days))


def shift_day(day: "dt.date | str", days: int) -> dt.date:
    """The date ``days`` days after ``day`` (before it if negative)."""
    return as_date(day) + dt.timedelta(days=int(days))


def day_count(first_day: "dt.date | str", last_day: "dt.date | str") -> int:
    """Days from ``first_day`` to ``last_day``, both included (H&M's data: 734)."""
    return day_number(last_day) - day_number(first_day) + 1


# --- vectorised, over numpy arrays -----------------------------------------------------------------
def day_numbers(t_dat) -> np.ndarray:
    """Day numbers (int32) of a ``t_dat`` column: datetime64 of any unit (tz-aware included),
    Python dates, ISO strings, or an Arrow date/timestamp dtype."""
    s = t_dat if isinstance(t_dat, pd.Series) else pd.Series(t_dat)
    if isinstance(s.dtype, pd.ArrowDtype):
        s = s.astype(f"datetime64[{'s' if 'date' in str(s.dtype) else 'ns'}]")
    if not pd.api.types.is_datetime64_any_dtype(s.dtype):
        s = pd.to_datetime(s)
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_localize(None)
    return (s.to_numpy().astype("datetime64[D]") - _EPOCH64).astype(np.int32)


def dates(first_day: "dt.date | str", offsets) -> np.ndarray:
    """``datetime64[D]`` of the days ``offsets`` (an int or an int array) days after ``first_day``."""
    return np.datetime64(as_date(first_day), "D") + np.asarray(offsets).astype("timedelta64[D]")


def dates_of(days) -> np.ndarray:
    """``datetime64[D]`` of day numbers."""
    return _EPOCH64 + np.asarray(days).astype("timedelta64[D]")


def _days(values) -> np.ndarray:
    values = np.asarray(values)
    return values.astype("datetime64[D]").astype(np.int64) if values.dtype.kind == "M" else values


def weekdays(days) -> np.ndarray:
    """``datetime.date.weekday()`` (Monday = 0) of day numbers or ``datetime64`` days."""
    return (_days(days) + EPOCH.weekday()) % WEEK_DAYS


def days_into_week(days) -> np.ndarray:
    """Days since the start of the H&M week (0 on a Wednesday .. 6 on a Tuesday) of day numbers
    or ``datetime64`` days."""
    return (weekdays(days) - WEDNESDAY) % WEEK_DAYS


def week_start_days(days) -> np.ndarray:
    """:func:`week_start` over day numbers: the day number of the Wednesday on or before each."""
    days = _days(days)
    return days - days_into_week(days)


def weeks_since(days, start):
    """Whole weeks from day number(s) ``start`` to day numbers ``days`` (rounded down, negative
    before ``start``); the dtype of ``days`` is kept (int32 stays int32)."""
    return (np.asarray(days) - start) // WEEK_DAYS


def day_of_year(days) -> np.ndarray:
    """Day of the year (1 on 1 January .. 366) of ``datetime64`` days or day numbers."""
    d = dates_of(_days(days))
    return (d - d.astype("datetime64[Y]").astype("datetime64[D]")).astype(np.int64) + 1


def week_start(day: "dt.date | str") -> dt.date:
    """The Wednesday on or before ``day``: the start of the week that contains it."""
    day = as_date(day)
    return day - dt.timedelta(days=(day.weekday() - WEDNESDAY) % WEEK_DAYS)


def week_end(week: "dt.date | str") -> dt.date:
    """The first day after the week (the next Wednesday); weeks are ``[start, end)``."""
    return as_date(week) + dt.timedelta(days=WEEK_DAYS)


def shift_week(week: "dt.date | str", weeks: int) -> dt.date:
    return as_date(week) + dt.timedelta(days=WEEK_DAYS * weeks)


def week_bounds(week: "dt.date | str") -> tuple[int, int]:
    """``(start, end)`` day numbers of ``week``: its days are ``start <= day < end``."""
    start = day_number(week)
    return start, start + WEEK_DAYS


def week_count(first_day: "dt.date | str", last_day: "dt.date | str") -> int:
    """Weeks from the week holding ``first_day`` to the week holding ``last_day``, both included."""
    return (week_start(last_day) - week_start(first_day)).days // WEEK_DAYS + 1


def week_key(week: "dt.date | str") -> str:
    return as_date(week).isoformat()


def first_week(first_day: "dt.date | str") -> dt.date:
    """The week containing the first day of data."""
    return week_start(first_day)


def target_week(last_day: "dt.date | str") -> dt.date:
    """The week after the last day of data: the one the submission predicts.

    H&M: data ends Tuesday 2020-09-22, so the target week starts Wednesday 2020-09-23. If the
    data ends mid-week, the target is still the next full week after the week holding the
    last day, so that no predicted week overlaps known data.
    """
    return week_end(week_start(last_day))


def week_keys(first_day: "dt.date | str", last_day: "dt.date | str") -> list[str]:
    """All week keys from the week of ``first_day`` through the target week, inclusive."""
    start = first_week(first_day)
    return [week_key(shift_week(start, i)) for i in range(week_count(first_day, last_day) + 1)]

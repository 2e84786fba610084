"""The week calendar: H&M weeks run Wednesday 00:00 to the next Wednesday.

A week is named by the Wednesday that starts it (an ISO date string, as Dagster partition keys
are). "Week W" means: what is known at W's start, used to predict the purchases during W.
Pure functions, no Dagster import.
"""

import datetime as dt

WEEK_DAYS = 7
WEDNESDAY = 2  # datetime.date.weekday(): Monday = 0
EPOCH = dt.date(1970, 1, 1)  # Arrow's date32 counts days from here


def as_date(value: "dt.date | str") -> dt.date:
    """Accept a ``date`` or an ISO ``YYYY-MM-DD`` string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def day_number(day: "dt.date | str") -> int:
    """Days since 1970-01-01: the integer Arrow stores for a ``date32``."""
    return (as_date(day) - EPOCH).days


def from_day_number(days: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(days))


def week_start(day: "dt.date | str") -> dt.date:
    """The Wednesday on or before ``day``: the start of the week that contains it."""
    day = as_date(day)
    return day - dt.timedelta(days=(day.weekday() - WEDNESDAY) % WEEK_DAYS)


def week_end(week: "dt.date | str") -> dt.date:
    """The first day after the week (the next Wednesday); weeks are ``[start, end)``."""
    return as_date(week) + dt.timedelta(days=WEEK_DAYS)


def shift_week(week: "dt.date | str", weeks: int) -> dt.date:
    return as_date(week) + dt.timedelta(days=WEEK_DAYS * weeks)


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
    start, stop = first_week(first_day), target_week(last_day)
    n = (stop - start).days // WEEK_DAYS + 1
    return [week_key(shift_week(start, i)) for i in range(n)]

"""Calendar effects: how many rows each day has, and how the online share drifts.

Daily volume = a slowly falling level x a summer peak and a December bump x a weekly pattern x
promotion spikes (Black Friday, the late-September event, sale starts) x the spring-2020 store
closures, with a little day-to-day noise. Only the *shape* comes from here; the generator scales
it to the requested number of rows.
"""

import datetime as dt

import numpy as np

from hm_assets import calendar

DAY_OF_WEEK = np.array([0.96, 0.97, 1.0, 1.04, 1.07, 1.0, 0.96])  # Monday .. Sunday


def _annual_bump(doy: np.ndarray, centre: float, width: float) -> np.ndarray:
    distance = (doy - centre + 182.5) % 365.25 - 182.5
    return np.exp(-((distance / width) ** 2))


def _black_friday(year: int) -> dt.date:
    """The day after the fourth Thursday of November."""
    nov1 = dt.date(year, 11, 1)
    first_thursday = nov1 + dt.timedelta(days=(3 - nov1.weekday()) % 7)
    return first_thursday + dt.timedelta(weeks=3, days=1)


def _last_saturday_of_september(year: int) -> dt.date:
    sep30 = dt.date(year, 9, 30)
    return sep30 - dt.timedelta(days=(sep30.weekday() - 5) % 7)


def promotions(year: int) -> list[tuple[dt.date, float, int]]:
    """``(first day, multiplier of the first day, days)`` of the year's campaigns."""
    return [
        (dt.date(year, 1, 2), 1.3, 2),  # winter sale
        (dt.date(year, 4, 4), 1.5, 2),  # spring campaign
        (dt.date(year, 6, 18), 1.6, 3),  # summer sale starts
        (_last_saturday_of_september(year), 3.4, 2),  # the big autumn event
        (_black_friday(year), 2.4, 3),
        (dt.date(year, 12, 26), 1.4, 2),  # boxing-day sale
    ]


def daily_volume(first_day: dt.date, n_days: int, rng: np.random.Generator) -> np.ndarray:
    """Relative volume of each day (sums to 1)."""
    days = np.arange(n_days)
    dates = calendar.dates(first_day, days)
    doy = calendar.day_of_year(dates)
    weekday = calendar.weekdays(dates)
    years = (dates - np.datetime64(dt.date(2018, 9, 20))).astype(np.float64) / 365.25
    level = np.clip(1.0 - 0.12 * years, 0.5, 1.2)
    vol = level * (1 + 0.45 * _annual_bump(doy, 172, 30) + 0.15 * _annual_bump(doy, 345, 10)) * DAY_OF_WEEK[weekday]
    last = calendar.shift_day(first_day, n_days - 1)
    for year in range(first_day.year, last.year + 1):
        for start, mult, length in promotions(year):
            for k in range(length):
                d = (start - first_day).days + k
                if 0 <= d < n_days:
                    vol[d] *= mult if k == 0 else 1 + (mult - 1) * 0.4
    # spring 2020: stores closed, volume dips and recovers over two months
    closed = _span(first_day, n_days, dt.date(2020, 3, 14), dt.date(2020, 5, 15))
    if closed is not None:
        a, b, n0, n = closed
        vol[a:b] *= np.linspace(0.55, 0.95, n)[n0 : n0 + (b - a)]
    vol *= np.exp(rng.normal(0, 0.05, n_days))
    return vol / vol.sum()


def _span(first_day, n_days, start, end):
    """Overlap of ``[start, end)`` with the data, as (a, b, offset into span, span length)."""
    n = (end - start).days
    a = max((start - first_day).days, 0)
    b = min((end - first_day).days, n_days)
    if b <= a:
        return None
    return a, b, a - (start - first_day).days, n


def online_shift(first_day: dt.date, n_days: int) -> np.ndarray:
    """Additive logit of shopping online, by day.

    Online grows slowly; it surges while stores are closed in spring 2020 and is weaker in the
    summer, when stores are busy.
    """
    days = np.arange(n_days)
    dates = calendar.dates(first_day, days)
    doy = calendar.day_of_year(dates)
    years = (dates - np.datetime64(dt.date(2018, 9, 20))).astype(np.float64) / 365.25
    shift = 0.1 * years - 0.6 * _annual_bump(doy, 205, 50)
    closed = _span(first_day, n_days, dt.date(2020, 3, 16), dt.date(2020, 6, 1))
    if closed is not None:
        a, b, _, _ = closed
        shift[a:b] += 1.3
    return shift

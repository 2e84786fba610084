"""The Dagster face of the week calendar (``hm_assets.calendar``), following the stored data.

The week partitions are a ``WeeklyPartitionsDefinition`` whose end is read from the stored
``transactions`` table when the definitions load: its week parts run from the first week to the
target week (the week after the last day of data). When ingestion stores a new week, the next
load of the definitions (the daemon reloads its code location every minute; the UI on "Reload")
has one more partition, with no edit to code or settings.

Why not a ``DynamicPartitionsDefinition``: time-window partitions keep
``TimeWindowPartitionMapping`` (a week reading earlier weeks), ordered backfills and week
arithmetic in the UI; dynamic partitions have none of these.
"""

import dagster as dg

from hm_assets import calendar
from hm_assets.settings import Settings

TRANSACTIONS = "transactions"


def stored_weeks(settings: Settings) -> list[str]:
    """Week keys of the stored transactions table (first week .. target week); [] if none stored."""
    from hm_assets.io.managers import stored_table

    handle = stored_table(settings.warehouse, TRANSACTIONS)
    if handle is None:
        return []
    names = list(handle.names)
    for name in names:
        if calendar.week_key(calendar.week_start(name)) != name:
            raise ValueError(f"stored transactions part {name!r} is not a week key (a Wednesday, YYYY-MM-DD)")
    return names


def week_keys(settings: Settings) -> list[str]:
    """The calendar the definitions use: the stored weeks, else the settings' expected range."""
    return stored_weeks(settings) or calendar.week_keys(settings.first_day, settings.expected_last_day)


def weekly_partitions(settings: Settings) -> dg.WeeklyPartitionsDefinition:
    """One partition per H&M week (keys are the starting Wednesdays), first week to target week.

    ``day_offset=3`` is Wednesday in Dagster's Sunday-based numbering; ``end_date`` is exclusive,
    so it is the day after the target week ends. ``end_offset=1``: with live data the target
    week is the current one, which Dagster would otherwise only list once it has ended.
    """
    keys = week_keys(settings)
    return dg.WeeklyPartitionsDefinition(
        start_date=keys[0], end_date=calendar.week_key(calendar.week_end(keys[-1])), day_offset=3, end_offset=1
    )

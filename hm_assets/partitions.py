"""The Dagster face of the week calendar (``hm_assets.calendar``)."""

import dagster as dg

from hm_assets import calendar
from hm_assets.settings import Settings


def weekly_partitions(settings: Settings) -> dg.WeeklyPartitionsDefinition:
    """One partition per H&M week (keys are the starting Wednesdays), first week to target week.

    ``day_offset=3`` is Wednesday in Dagster's Sunday-based numbering; ``end_date`` is exclusive,
    so it is the day after the target week ends.
    """
    return dg.WeeklyPartitionsDefinition(
        start_date=calendar.week_key(settings.first_week),
        end_date=calendar.week_key(calendar.week_end(settings.target_week)),
        day_offset=3,
    )

"""Project settings: the data's date range and where data lives.

Read once by the definitions loader (never at import time). Environment variables:

- ``HM_FIRST_DAY``: first day of transactions (H&M's by default); the calendar starts with its week.
- ``HM_LAST_DAY``: optional. Unset (the default), the data decides where the calendar ends: the
  week partitions run to the week after the last day stored by ingestion, so a new week of data
  becomes a new partition with no edit. Set, it pins the last day that ingestion accepts (a
  transaction after it fails the ``t_dat_in_range`` check).
- ``HM_DATA_DIR``: the folder holding the three Kaggle CSV files (default ``data/raw``).
- ``HM_WAREHOUSE``: base path or fsspec URL of the warehouse (default ``data``).
- ``HM_MEMORY_BUDGET_GIB``: the memory budget in GiB (default 8) that sizes the heavy steps'
  customer chunks (``hm_assets.recsys.budget``).
"""

import dataclasses
import datetime as dt
import os
from collections.abc import Mapping

from hm_assets import calendar
from hm_assets.recsys import budget

HM_FIRST_DAY = dt.date(2018, 9, 20)
HM_LAST_DAY = dt.date(2020, 9, 22)


@dataclasses.dataclass(frozen=True)
class Settings:
    first_day: dt.date = HM_FIRST_DAY
    last_day: dt.date | None = None  # None: follow the data (see the module docstring)
    raw_dir: str = "data/raw"
    warehouse: str = "data"
    memory_gib: float = budget.DEFAULT_GIB

    def __post_init__(self) -> None:
        budget.MemoryBudget(self.memory_gib)  # raises on a non-positive budget
        if self.last_day is not None and self.last_day < self.first_day:
            raise ValueError(f"last_day {self.last_day} is before first_day {self.first_day}")

    @property
    def expected_last_day(self) -> dt.date:
        """The pinned last day, else H&M's: the calendar shown before any data is stored."""
        return self.last_day if self.last_day is not None else HM_LAST_DAY

    def latest_allowed_day(self, today: dt.date | None = None) -> dt.date:
        """The last day a transaction may carry: the pin if set, else today (no future days)."""
        return self.last_day if self.last_day is not None else (today or dt.date.today())

    @property
    def first_week(self) -> dt.date:
        return calendar.first_week(self.first_day)

    @property
    def target_week(self) -> dt.date:
        """Target week of the expected calendar; once data is stored, ``hm_assets.partitions``
        reads the real one from it."""
        return calendar.target_week(self.expected_last_day)

    @property
    def last_known_week(self) -> dt.date:
        """The last week whose purchases are in the data: the local validation week."""
        return calendar.shift_week(self.target_week, -1)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        last_day = env.get("HM_LAST_DAY", "").strip()
        return cls(
            first_day=calendar.as_date(env.get("HM_FIRST_DAY", HM_FIRST_DAY.isoformat())),
            last_day=calendar.as_date(last_day) if last_day else None,
            raw_dir=env.get("HM_DATA_DIR", cls.raw_dir),
            warehouse=env.get("HM_WAREHOUSE", cls.warehouse),
            memory_gib=budget.parse_gib(env.get(budget.ENV, "")),
        )

"""Resources: where the raw files are, which days the data covers, and the memory budget."""

import dagster as dg
from pydantic import Field

from hm_assets import calendar, schemas
from hm_assets.recsys import budget
from hm_assets.settings import Settings


class RawData(dg.ConfigurableResource):
    """The folder holding the three Kaggle CSV files and the days they cover."""

    raw_dir: str = Field(default="data/raw", description="Folder with articles.csv, customers.csv, transactions_train.csv.")
    first_day: str = Field(default="2018-09-20", description="First day of transactions (YYYY-MM-DD).")
    last_day: str = Field(
        default="",
        description="Pinned last day of transactions (YYYY-MM-DD); empty: the data decides, up to today.",
    )

    @classmethod
    def from_settings(cls, settings: Settings) -> "RawData":
        return cls(
            raw_dir=settings.raw_dir,
            first_day=settings.first_day.isoformat(),
            last_day=settings.last_day.isoformat() if settings.last_day else "",
        )

    @property
    def files(self) -> dict[str, str]:
        """The three raw files by asset name (the files the ingestion sensor watches)."""
        return {
            "articles": self.path(schemas.ARTICLES_FILE),
            "customers": self.path(schemas.CUSTOMERS_FILE),
            "transactions": self.transactions_path,
        }

    def path(self, file_name: str) -> str:
        return f"{self.raw_dir.rstrip('/')}/{file_name}"

    @property
    def settings(self) -> Settings:
        return Settings(
            first_day=calendar.as_date(self.first_day),
            last_day=calendar.as_date(self.last_day) if self.last_day else None,
            raw_dir=self.raw_dir,
        )

    @property
    def transactions_path(self) -> str:
        return self.path(schemas.TRANSACTIONS_FILE)


class MemoryBudgetResource(dg.ConfigurableResource):
    """The memory budget the heavy weekly steps size their customer chunks from
    (``hm_assets.recsys.budget``): ALS/BPR recommending, candidate merging, feature joining and
    model scoring. A lower budget means more, smaller chunks: slower, not dead, same results."""

    gib: float = Field(
        default=budget.DEFAULT_GIB,
        gt=0,
        description="Memory budget in GiB (env HM_MEMORY_BUDGET_GIB); the heavy steps' chunk sizes follow from it.",
    )

    @classmethod
    def from_settings(cls, settings: Settings) -> "MemoryBudgetResource":
        return cls(gib=settings.memory_gib)

    @property
    def budget(self) -> budget.MemoryBudget:
        return budget.MemoryBudget(self.gib)

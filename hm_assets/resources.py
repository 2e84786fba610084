"""Resources: where the raw files are and which days the data covers."""

import dagster as dg
from pydantic import Field

from hm_assets import calendar, schemas
from hm_assets.settings import Settings


class RawData(dg.ConfigurableResource):
    """The folder holding the three Kaggle CSV files and the days they cover."""

    raw_dir: str = Field(default="data/raw", description="Folder with articles.csv, customers.csv, transactions_train.csv.")
    first_day: str = Field(default="2018-09-20", description="First day of transactions (YYYY-MM-DD).")
    last_day: str = Field(default="2020-09-22", description="Last day of transactions (YYYY-MM-DD).")

    @classmethod
    def from_settings(cls, settings: Settings) -> "RawData":
        return cls(
            raw_dir=settings.raw_dir,
            first_day=settings.first_day.isoformat(),
            last_day=settings.last_day.isoformat(),
        )

    def path(self, file_name: str) -> str:
        return f"{self.raw_dir.rstrip('/')}/{file_name}"

    @property
    def settings(self) -> Settings:
        return Settings(
            first_day=calendar.as_date(self.first_day),
            last_day=calendar.as_date(self.last_day),
            raw_dir=self.raw_dir,
        )

    @property
    def transactions_path(self) -> str:
        return self.path(schemas.TRANSACTIONS_FILE)

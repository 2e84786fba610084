"""Shared fixtures: a tiny hand-built dataset in the Kaggle format, and a Dagster harness."""

import dataclasses
import os
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
from upath import UPath

from hm_assets.definitions import build_definitions
from hm_assets.io.storage import ParquetHandle, resolve
from hm_assets.settings import Settings

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

HEX = {name: name * 64 for name in "abcd"}  # customers c0..c3 = 'aaa…', 'bbb…', 'ccc…', 'ddd…'


def article(i: int) -> int:
    """A1..A14: product 100001..100014, variant 001 (ids 100001001..)."""
    return (100000 + i) * 1000 + 1


ARTICLE_HEADER = (
    "article_id,product_code,prod_name,product_type_no,product_type_name,product_group_name,"
    "graphical_appearance_no,graphical_appearance_name,colour_group_code,colour_group_name,"
    "perceived_colour_value_id,perceived_colour_value_name,perceived_colour_master_id,"
    "perceived_colour_master_name,department_no,department_name,index_code,index_name,"
    "index_group_no,index_group_name,section_no,section_name,garment_group_no,garment_group_name,detail_desc"
)


def articles_csv(n: int = 14) -> str:
    rows = [
        f"{article(i):010d},{100000 + i},Item {i},253,Vest top,Garment Upper body,1010016,Solid,9,Black,"
        f"4,Dark,5,Black,1676,Jersey Basic,A,Ladieswear,1,Ladieswear,16,Womens Everyday Basics,1002,"
        f"Jersey Basic,A plain top"
        for i in range(1, n + 1)
    ]
    return "\n".join([ARTICLE_HEADER, *rows]) + "\n"


def customers_csv() -> str:
    header = "customer_id,FN,Active,club_member_status,fashion_news_frequency,age,postal_code"
    rows = [f"{HEX[k]},1.0,1.0,ACTIVE,Regularly,{20 + 10 * i},{'e' * 64}" for i, k in enumerate("abcd")]
    return "\n".join([header, *rows]) + "\n"


# (day, customer, article number): see test_pipeline for the MAP@12 worked out from these rows
TRANSACTIONS = [
    ("2020-09-03", "a", 4),
    ("2020-09-10", "a", 1),
    ("2020-09-11", "b", 2),
    ("2020-09-12", "c", 3),
    ("2020-09-12", "c", 3),
    ("2020-09-13", "d", 3),
    # the held-out week 2020-09-16 .. 2020-09-22
    ("2020-09-17", "a", 1),
    ("2020-09-18", "b", 5),
    ("2020-09-20", "d", 3),
]


def transactions_csv(rows=TRANSACTIONS, price: str = "0.0254") -> str:
    lines = ["t_dat,customer_id,article_id,price,sales_channel_id"]
    lines += [f"{day},{HEX[cust]},{article(a):010d},{price},2" for day, cust, a in rows]
    return "\n".join(lines) + "\n"


@dataclasses.dataclass
class Project:
    root: Path
    settings: Settings
    instance: dg.DagsterInstance

    @property
    def raw(self) -> Path:
        return Path(self.settings.raw_dir)

    def write(self, name: str, text: str) -> None:
        (self.raw / name).write_text(text)

    def defs(self) -> dg.Definitions:
        return build_definitions(self.settings)

    def stored(self, asset: str) -> pd.DataFrame:
        """The published version of a warehouse table, as downstream assets read it."""
        return ParquetHandle(resolve(UPath(self.settings.warehouse) / "warehouse" / asset)).to_pandas()

    def stored_week(self, asset: str, week: str) -> pd.DataFrame:
        """One week partition of a weekly asset, as downstream assets read it."""
        return ParquetHandle(resolve(UPath(self.settings.warehouse) / "warehouse" / asset / week)).to_pandas()

    def stored_partition(self, asset: str, partition: str) -> pd.DataFrame:
        """One week of a partitioned warehouse table."""
        return ParquetHandle(resolve(UPath(self.settings.warehouse) / "warehouse" / asset / partition)).to_pandas()

    def run_job(self, name: str, partition_key: str | None = None):
        job = self.defs().resolve_job_def(name)
        return job.execute_in_process(instance=self.instance, partition_key=partition_key, raise_on_error=False)


@pytest.fixture
def project(tmp_path) -> Project:
    """A project rooted in tmp_path with the hand-built files written to its raw folder."""
    settings = Settings(
        first_day=Settings.from_env({"HM_FIRST_DAY": "2020-09-01"}).first_day,
        last_day=Settings.from_env({"HM_LAST_DAY": "2020-09-22"}).last_day,
        raw_dir=str(tmp_path / "raw"),
        warehouse=str(tmp_path / "store"),
    )
    (tmp_path / "raw").mkdir()
    p = Project(tmp_path, settings, dg.DagsterInstance.ephemeral())
    p.write("articles.csv", articles_csv())
    p.write("customers.csv", customers_csv())
    p.write("transactions_train.csv", transactions_csv())
    return p

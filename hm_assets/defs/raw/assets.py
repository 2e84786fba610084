"""Raw tables: the three Kaggle CSV files, typed, validated, and stored compactly."""

import contextlib
import warnings
from collections.abc import Iterator

import dagster as dg
import numpy as np
import pandas as pd
import pyarrow as pa

from hm_assets import calendar, schemas
from hm_assets import columns as c
from hm_assets.defs import pools
from hm_assets.defs.checks import check_specs, report
from hm_assets.ingest import files, readers, weeks
from hm_assets.io.storage import Parts, table_to_pandas
from hm_assets.quality.expectations import check_table, check_table_in_chunks
from hm_assets.resources import RawData

GROUP = "raw"
SOURCE_FINGERPRINT = "source_fingerprint"  # metadata the ingestion sensor compares with the file


@contextlib.contextmanager
def _ingesting(context: dg.AssetExecutionContext, path: str):
    """Turn unreadable input into a clear step failure; log ignored extra columns."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", readers.ExtraColumnsWarning)
        try:
            yield
        except readers.RawDataError as e:
            raise dg.Failure(description=str(e)) from e
    for w in caught:
        if issubclass(w.category, readers.ExtraColumnsWarning):
            context.log.warning(str(w.message))


VALIDATION_CHUNK_ROWS = 2_000_000  # rows of transactions checked at a time: bounds memory


def _row_numbered(table: pa.Table, first_row: int = 1) -> pd.DataFrame:
    """Frame whose index is the CSV data-row number (1 = first row after the header)."""
    frame = table_to_pandas(table)
    frame.index = pd.RangeIndex(first_row, first_row + len(frame))
    return frame


def _row_chunks(table: pa.Table, rows: int) -> Iterator[pd.DataFrame]:
    """Consecutive row-numbered slices of ``table`` as frames (at least one, maybe empty)."""
    for start in range(0, max(table.num_rows, 1), rows):
        yield _row_numbered(table.slice(start, rows), first_row=start + 1)


def _lookup_table(name: str, file_name: str, read, schema: pa.Schema, description: str) -> dg.AssetsDefinition:
    """A raw table read whole from one CSV (articles, customers), validated before publishing."""

    @dg.asset(name=name, group_name=GROUP, kinds={"parquet"}, check_specs=check_specs(name, name), description=description)
    def _table(context: dg.AssetExecutionContext, raw_data: RawData):
        path = raw_data.path(file_name)
        fingerprint = files.fingerprint(path)  # before reading: a file changed meanwhile is read again
        with _ingesting(context, path):
            table = read(path)
        yield from report(check_table(name, _row_numbered(table), source=path), path)
        yield dg.Output(
            readers.schema_columns(table, schema), metadata={"source": path, SOURCE_FINGERPRINT: fingerprint}
        )

    return _table


articles = _lookup_table(
    "articles", schemas.ARTICLES_FILE, readers.read_articles, schemas.ARTICLES,
    "articles.csv: one row per article, article_id as int32, names as categoricals.",
)
customers = _lookup_table(
    "customers", schemas.CUSTOMERS_FILE, readers.read_customers, schemas.CUSTOMERS,
    "customers.csv: customer_id becomes a dense int32 key (row order); the hex id is kept.",
)


@dg.asset(
    group_name=GROUP,
    kinds={"parquet"},
    ins={
        "customers": dg.AssetIn(metadata={"columns": [c.CUSTOMER_ID, c.CUSTOMER_HEX]}),
        "articles": dg.AssetIn(metadata={"columns": [c.ARTICLE_ID]}),
    },
    check_specs=check_specs("transactions", "transactions"),
    pool=pools.MEMORY,  # 3.4 GiB at full scale
)
def transactions(context: dg.AssetExecutionContext, raw_data: RawData, customers: pa.Table, articles: pd.DataFrame):
    """``transactions_train.csv``, streamed, stored as one Parquet part per calendar week.

    Reads every day of the file. The weeks run from the week of ``HM_FIRST_DAY`` to the target
    week, the week after the data's last day: the stored parts are the calendar that the week
    partitions follow, so a new week of data becomes a new partition. Weeks without purchases
    (and the target week) get an empty part, so "the weeks before W" is always a list of files.
    The table is held compactly (17 bytes a row, instead of ~250 as text) and validated in row
    chunks, so memory stays near the table's own size.
    """
    path = raw_data.transactions_path
    settings = raw_data.settings
    fingerprint = files.fingerprint(path)
    with _ingesting(context, path):
        table = readers.read_transactions(path, customers)
    context.log.info(f"read {table.num_rows:,} rows from {path}; validating")
    outcomes = check_table_in_chunks(
        "transactions",
        _row_chunks(table, VALIDATION_CHUNK_ROWS),
        whole=table_to_pandas(table.select([c.T_DAT])),
        source=path,
        first_day=settings.first_day,
        last_day=settings.latest_allowed_day(),
        known_article_ids=articles[c.ARTICLE_ID].to_numpy(),
        known_customer_ids=np.arange(customers.num_rows, dtype=np.int32),
    )
    yield from report(outcomes, path)
    last_day = weeks.last_day(table) or settings.expected_last_day
    keys = calendar.week_keys(settings.first_day, last_day)
    context.log.info(f"data ends {last_day}: writing {len(keys)} week parts, {keys[0]} .. target week {keys[-1]}")
    table = readers.schema_columns(table, schemas.TRANSACTIONS)
    yield dg.Output(
        Parts(weeks.split_by_week(table, keys)),
        metadata={
            "source": path,
            SOURCE_FINGERPRINT: fingerprint,
            "last_day": last_day.isoformat(),
            "weeks": len(keys),
            "first_week": keys[0],
            "target_week": keys[-1],
        },
    )


assets = [articles, customers, transactions]

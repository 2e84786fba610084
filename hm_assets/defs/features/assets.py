"""Feature tables for week W (placeholder until the features branch lands: only
``segment_popularity``, which the segment candidate strategies read; the features helper's
version of this file replaces it)."""

import dagster as dg
import pandas as pd

from hm_assets import columns as c
from hm_assets.io.storage import ParquetHandle
from hm_assets.recsys import history, segments

GROUP = "features"


def build_assets(weekly: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    @dg.asset(
        group_name=GROUP,
        partitions_def=weekly,
        kinds={"pandas"},
        ins={"customers": dg.AssetIn(metadata={"columns": [c.CUSTOMER_ID, c.AGE, c.POSTAL_CODE]})},
    )
    def segment_popularity(context: dg.AssetExecutionContext, transactions: ParquetHandle, customers: pd.DataFrame) -> pd.DataFrame:
        """Top articles of every age band and postal code over the weeks strictly before W."""
        week = context.partition_key
        past = history.read_weeks(history.weeks_before(transactions, week, segments.DEFAULT_WEEKS), [c.T_DAT, c.CUSTOMER_ID, c.ARTICLE_ID])
        table = segments.compute_segment_popularity(past, customers, week)
        context.add_output_metadata({"rows": len(table)})
        return table

    return [segment_popularity]

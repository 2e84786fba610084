"""Candidate strategies for week W, each seeing only transactions strictly before W."""

import dagster as dg
import pandas as pd
from pydantic import Field

from hm_assets import calendar
from hm_assets import columns as c
from hm_assets.io.storage import ParquetHandle
from hm_assets.recsys import baselines, history

GROUP = "candidates"
HISTORY_COLUMNS = [c.T_DAT, c.CUSTOMER_ID, c.ARTICLE_ID]


class PopularityConfig(dg.Config):
    n: int = Field(default=c.K, description="Articles in the ranking.")
    weeks: int = Field(default=1, description="Weeks before W whose buyers are counted.")


class RecentConfig(dg.Config):
    n: int = Field(default=c.K, description="Candidates per customer.")
    weeks: int = Field(default=26, description="Weeks of history before W to look back (bounds memory).")


def build_assets(weekly: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    @dg.asset(
        group_name=GROUP,
        partitions_def=weekly,
        kinds={"pandas"},
        ins={"articles": dg.AssetIn(metadata={"columns": [c.ARTICLE_ID]})},
    )
    def candidates_popularity(
        context: dg.AssetExecutionContext, config: PopularityConfig, transactions: ParquetHandle, articles: pd.DataFrame
    ) -> pd.DataFrame:
        """Global ranking of articles by distinct buyers in the ``weeks`` before W (one list for all).

        Reads up to 8x the window so that thin or empty weeks can widen it.
        """
        week = context.partition_key
        past = history.read_weeks(history.weeks_before(transactions, week, 8 * config.weeks), HISTORY_COLUMNS)
        ranking = baselines.popular_articles(
            past, pd.Timestamp(week), config.n, config.weeks, articles[c.ARTICLE_ID].to_numpy()
        )
        context.add_output_metadata({"articles": len(ranking), "history_rows": len(past)})
        return ranking

    @dg.asset(group_name=GROUP, partitions_def=weekly, kinds={"pandas"})
    def candidates_recent(
        context: dg.AssetExecutionContext, config: RecentConfig, transactions: ParquetHandle
    ) -> pd.DataFrame:
        """Each customer's own past articles, most recent first (the repurchase baseline)."""
        week = context.partition_key
        past = history.read_weeks(history.weeks_before(transactions, week, config.weeks), HISTORY_COLUMNS)
        candidates = baselines.recent_purchases(past, pd.Timestamp(week), config.n)
        context.add_output_metadata(
            {
                "customers": int(candidates[c.CUSTOMER_ID].nunique()),
                "rows": len(candidates),
                "history_from": calendar.week_key(calendar.shift_week(week, -config.weeks)),
            }
        )
        return candidates

    return [candidates_popularity, candidates_recent]

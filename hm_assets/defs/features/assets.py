"""Weekly feature tables: the world as it stood at week W's start, from transactions before W.

Each asset opens only the week files of ``transactions`` its windows need and loads only the
columns of ``customers`` / ``articles`` it uses. The maths lives in ``hm_assets.recsys.features``
and ``hm_assets.recsys.segments``.
"""

import warnings

import dagster as dg
import pandas as pd
from pydantic import Field

from hm_assets import columns as c
from hm_assets.defs.weekly_checks import check_result
from hm_assets.io.storage import ParquetHandle
from hm_assets.recsys import features, history, segments, summaries

GROUP = "features"


class HistoryConfig(dg.Config):
    history_weeks: int = Field(
        default=features.HISTORY_WEEKS,
        description="Weeks before W read for the all-history features (first purchase, totals); bounds memory.",
    )


class SegmentPopularityConfig(dg.Config):
    weeks: int = Field(default=segments.DEFAULT_WEEKS, description="Weeks before W whose buyers are counted.")
    top_n: int = Field(default=segments.DEFAULT_TOP_N, description="Articles kept per segment.")
    half_life_days: float = Field(
        default=segments.DEFAULT_HALF_LIFE_DAYS, description="A buyer's weight halves every this many days before W."
    )
    prior: float = Field(
        default=segments.DEFAULT_PRIOR,
        description="Pseudo-buyers shrinking a segment toward global popularity (small segments lean on it).",
    )


def _metadata(frame: pd.DataFrame, key: str, history_weeks: list[str]) -> dict:
    return {
        "rows": len(frame),
        "columns": len(frame.columns),
        "history_weeks_read": len(history_weeks),
        "history_from": history_weeks[0] if history_weeks else "none",
        "summary": dg.MetadataValue.md(summaries.feature_summary_markdown(frame, exclude=[key])),
    }


def _ins(columns: dict[str, list[str]]) -> dict[str, dg.AssetIn]:
    return {name: dg.AssetIn(metadata={"columns": cols}) for name, cols in columns.items()}


def build_assets(weekly: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    @dg.asset(group_name=GROUP, partitions_def=weekly, kinds={"pandas"}, ins=_ins(features.CUSTOMER_FEATURE_INPUTS))
    def customer_features(
        context: dg.AssetExecutionContext,
        config: HistoryConfig,
        transactions: ParquetHandle,
        customers: pd.DataFrame,
        articles: pd.DataFrame,
    ) -> pd.DataFrame:
        """One row per customer: recency, frequency and spend over 1/2/4/12/52 weeks before W,
        profile, channel and category shares (``features.compute_customer_features``)."""
        week = context.partition_key
        weeks = history.weeks_before(transactions, week, config.history_weeks)
        past = history.read_weeks(weeks, features.HISTORY_COLUMNS)
        table = features.compute_customer_features(past, customers, articles, week)
        context.add_output_metadata(_metadata(table, c.CUSTOMER_ID, weeks.names))
        return table

    @dg.asset(group_name=GROUP, partitions_def=weekly, kinds={"pandas"}, ins=_ins(features.ARTICLE_FEATURE_INPUTS))
    def article_features(
        context: dg.AssetExecutionContext,
        config: HistoryConfig,
        transactions: ParquetHandle,
        articles: pd.DataFrame,
        customers: pd.DataFrame,
    ) -> pd.DataFrame:
        """One row per article: sales and buyers over 1/2/4/12 weeks before W, trend, price
        history, buyers' age, repurchase rate, attributes (``features.compute_article_features``)."""
        week = context.partition_key
        weeks = history.weeks_before(transactions, week, config.history_weeks)
        past = history.read_weeks(weeks, features.HISTORY_COLUMNS)
        table = features.compute_article_features(past, articles, customers, week)
        context.add_output_metadata(_metadata(table, c.ARTICLE_ID, weeks.names))
        return table

    @dg.asset(
        group_name=GROUP,
        partitions_def=weekly,
        kinds={"pandas"},
        ins=_ins({"customers": segments.CUSTOMER_COLUMNS}),
    )
    def segment_popularity(
        context: dg.AssetExecutionContext,
        config: SegmentPopularityConfig,
        transactions: ParquetHandle,
        customers: pd.DataFrame,
    ) -> pd.DataFrame:
        """Top articles of each age band and postal code over the ``weeks`` before W, shrunk
        toward global popularity (``segments.compute_segment_popularity``)."""
        week = context.partition_key
        weeks = history.weeks_before(transactions, week, config.weeks)
        past = history.read_weeks(weeks, segments.HISTORY_COLUMNS)
        table = segments.compute_segment_popularity(
            past, customers, week, config.weeks, config.top_n, config.half_life_days, config.prior
        )
        per_kind = table.groupby(segments.SEGMENT_KIND, observed=False)[segments.SEGMENT].nunique()
        context.add_output_metadata(
            {
                **_metadata(table, segments.SEGMENT, weeks.names),
                **{f"segments_{kind}": int(n) for kind, n in per_kind.items()},
            }
        )
        return table

    return [customer_features, article_features, segment_popularity]


def build_checks(weekly: dg.PartitionsDefinition) -> list[dg.AssetChecksDefinition]:
    """Blocking contract checks, each reading only the partition it checks."""
    with warnings.catch_warnings():
        # partitioned asset checks are a preview feature, used knowingly (see weekly_checks)
        warnings.filterwarnings("ignore", category=dg.PreviewWarning)

        @dg.asset_check(
            asset="customer_features",
            partitions_def=weekly,
            blocking=True,
            additional_ins={"customers": dg.AssetIn(metadata={"columns": [c.CUSTOMER_ID]})},
            description="One row per customer under a unique customer_id; feature columns c_*, numeric.",
        )
        def one_row_per_customer(
            context: dg.AssetCheckExecutionContext, customer_features: pd.DataFrame, customers: pd.DataFrame
        ) -> dg.AssetCheckResult:
            problems = features.feature_table_problems(
                customer_features, c.CUSTOMER_ID, customers[c.CUSTOMER_ID].to_numpy(), "c_"
            )
            return check_result(problems, len(customer_features), context.partition_key)

        @dg.asset_check(
            asset="article_features",
            partitions_def=weekly,
            blocking=True,
            additional_ins={"articles": dg.AssetIn(metadata={"columns": [c.ARTICLE_ID]})},
            description="One row per article under a unique article_id; feature columns a_*, numeric.",
        )
        def one_row_per_article(
            context: dg.AssetCheckExecutionContext, article_features: pd.DataFrame, articles: pd.DataFrame
        ) -> dg.AssetCheckResult:
            problems = features.feature_table_problems(
                article_features, c.ARTICLE_ID, articles[c.ARTICLE_ID].to_numpy(), "a_"
            )
            return check_result(problems, len(article_features), context.partition_key)

    return [one_row_per_customer, one_row_per_article]

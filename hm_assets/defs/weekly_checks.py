"""Blocking checks on the weekly tables, each reading only the partition it checks."""

import warnings

import dagster as dg
import pandas as pd

from hm_assets import columns as c
from hm_assets.defs.candidates.assets import MERGED, STRATEGY_ASSETS
from hm_assets.io.storage import ParquetHandle, table_to_pandas
from hm_assets.recsys.merge import N_STRATEGIES, by_column
from hm_assets.recsys.strategies import NAMES
from hm_assets.recsys import contracts


def check_result(problems: list[str], rows: int, week: str) -> dg.AssetCheckResult:
    """A weekly contract check's result: passed when ``problems`` is empty, each problem named."""
    return dg.AssetCheckResult(
        passed=not problems,
        description="; ".join(problems) if problems else "contract kept",
        metadata={"rows_checked": rows, "week": week, "problems": len(problems)},
    )


def build_checks(weekly: dg.PartitionsDefinition) -> list[dg.AssetChecksDefinition]:
    # Partitioned asset checks are a Dagster preview feature; without them a check on a weekly
    # asset would load every week. We use it knowingly, so its warning is not shown to users.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=dg.PreviewWarning)
        return _build_checks(weekly)


def _build_checks(weekly: dg.PartitionsDefinition) -> list[dg.AssetChecksDefinition]:
    def candidate_contract(asset: str) -> dg.AssetChecksDefinition:
        @dg.asset_check(
            asset=asset,
            name="candidate_contract",
            partitions_def=weekly,
            blocking=True,
            description="Columns, dtypes, no repeated (customer, article, strategy), ranks >= 0, finite scores.",
        )
        def _check(context: dg.AssetCheckExecutionContext, frame: pd.DataFrame) -> dg.AssetCheckResult:
            return check_result(contracts.candidate_problems(frame), len(frame), context.partition_key)

        return _check

    @dg.asset_check(
        asset=MERGED,
        name="merged_candidate_contract",
        partitions_def=weekly,
        blocking=True,
        description="Columns and dtypes; one row per (customer, article), sorted, n_strategies = flags; part by part.",
    )
    def merged_candidate_contract(context: dg.AssetCheckExecutionContext, candidates: ParquetHandle) -> dg.AssetCheckResult:
        # columns and dtypes from the stored schema; row checks part by part on the key and flag
        # columns only (the target week holds ~90M rows)
        problems = contracts.merged_candidate_problems(table_to_pandas(candidates.schema().empty_table()), NAMES)
        rows, wanted = 0, [c.CUSTOMER_ID, c.ARTICLE_ID, N_STRATEGIES, *(by_column(s) for s in NAMES)]
        for part in candidates.names if not problems else []:  # customer chunks: no customer spans two
            frame = candidates.select([part]).to_pandas(wanted)
            rows += len(frame)
            problems += [f"part {part}: {p}" for p in contracts.merged_row_problems(frame, NAMES)]
        return check_result(problems, rows, context.partition_key)

    @dg.asset_check(
        asset="recommendations",
        partitions_def=weekly,
        blocking=True,
        additional_ins={"customers": dg.AssetIn(metadata={"columns": [c.CUSTOMER_ID]})},
        description="Every customer gets exactly 12 distinct articles.",
    )
    def twelve_distinct_picks_per_customer(
        context: dg.AssetCheckExecutionContext, recommendations: pd.DataFrame, customers: pd.DataFrame
    ) -> dg.AssetCheckResult:
        problems = contracts.recommendation_problems(recommendations, n_customers=len(customers))
        return check_result(problems, len(recommendations), context.partition_key)

    return [*(candidate_contract(asset) for asset in STRATEGY_ASSETS), merged_candidate_contract, twelve_distinct_picks_per_customer]

"""Blocking checks on the weekly tables, each reading only the partition it checks."""

import warnings

import dagster as dg
import pandas as pd

from hm_assets import columns as c
from hm_assets.defs.candidates.assets import MERGED, STRATEGY_ASSETS
from hm_assets.io.storage import ParquetHandle
from hm_assets.recsys.strategies import NAMES
from hm_assets.recsys import contracts


def _result(problems: list[str], rows: int, week: str) -> dg.AssetCheckResult:
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
            return _result(contracts.candidate_problems(frame), len(frame), context.partition_key)

        return _check

    @dg.asset_check(
        asset=MERGED,
        name="merged_candidate_contract",
        partitions_def=weekly,
        blocking=True,
        description="Columns and dtypes, one row per (customer, article), sorted, flags agree with ranks; part by part.",
    )
    def merged_candidate_contract(context: dg.AssetCheckExecutionContext, candidates: ParquetHandle) -> dg.AssetCheckResult:
        problems, rows = [], 0
        for part in candidates.names:  # customer chunks: a customer never spans two parts
            frame = candidates.select([part]).to_pandas()
            rows += len(frame)
            problems += [f"part {part}: {p}" for p in contracts.merged_candidate_problems(frame, NAMES)]
        return _result(problems, rows, context.partition_key)

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
        return _result(problems, len(recommendations), context.partition_key)

    return [*(candidate_contract(asset) for asset in STRATEGY_ASSETS), merged_candidate_contract, twelve_distinct_picks_per_customer]

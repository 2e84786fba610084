"""The Kaggle submission for week W, and the backtest that scores W when its purchases are known."""

import dagster as dg
import numpy as np
import pandas as pd

from hm_assets import columns as c
from hm_assets.defs import metadata
from hm_assets.io.storage import ParquetHandle
from hm_assets.recsys import baselines, history, metrics
from hm_assets.recsys.submission import format_submission, validate_submission

GROUP = "submission"


def build_assets(weekly: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    @dg.asset(
        group_name=GROUP,
        partitions_def=weekly,
        kinds={"csv"},
        io_manager_key="submission_io_manager",
        ins={"customers": dg.AssetIn(metadata={"columns": [c.CUSTOMER_ID, c.CUSTOMER_HEX]})},
    )
    def submission(context: dg.AssetExecutionContext, recommendations: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
        """``customer_id,prediction`` for every customer in customers.csv, 12 zero-padded ids each."""
        frame = format_submission(recommendations, customers)
        validate_submission(frame, n_customers=len(customers))
        context.add_output_metadata({"rows": len(frame), "preview": dg.MetadataValue.md(frame.head(5).to_markdown(index=False))})
        return frame

    @dg.asset(
        group_name=GROUP,
        partitions_def=weekly,
        kinds={"pandas"},
        output_required=False,
        ins={"customers": dg.AssetIn(metadata={"columns": [c.CUSTOMER_ID]})},
    )
    def backtest(
        context: dg.AssetExecutionContext,
        recommendations: pd.DataFrame,
        candidates_repurchase: pd.DataFrame,
        candidates_popular: pd.DataFrame,
        transactions: ParquetHandle,
        customers: pd.DataFrame,
    ):
        """MAP@12 of the pipeline and the baselines on week W's real purchases.

        Everything scored was built from data strictly before W. Weeks without known purchases
        (the target week) are not scorable: the asset then records nothing.
        """
        week = context.partition_key
        actual = history.week_rows(transactions, week, [c.CUSTOMER_ID, c.ARTICLE_ID])
        if actual.empty:
            context.log.info(f"week {week} has no known purchases; nothing to score")
            return
        buyers = np.unique(actual[c.CUSTOMER_ID].to_numpy())
        popular = baselines.shared_list(candidates_popular)  # a past week's scope is its buyers: small
        popular_only = baselines.popularity_predictions(popular, buyers)
        recent_filled = baselines.fill_with_popular(candidates_repurchase, popular, buyers)
        rows = [
            ("popularity (last week)", metrics.map_at_k(popular_only, actual), metrics.recall(popular_only, actual)),
            ("recent purchases + popularity", metrics.map_at_k(recent_filled, actual), metrics.recall(recent_filled, actual)),
            ("pipeline (recommendations)", metrics.map_at_k(recommendations, actual), metrics.recall(recommendations, actual)),
        ]
        report = pd.DataFrame(rows, columns=["method", "map_at_12", "recall_at_12"])
        candidate_recall = metrics.recall(candidates_repurchase, actual)
        yield dg.Output(
            report,
            metadata=metadata.numbers(
                {
                    "map_at_12": report["map_at_12"].iloc[-1],
                    "map_at_12_popularity": report["map_at_12"].iloc[0],
                    "map_at_12_recent": report["map_at_12"].iloc[1],
                    "recall_candidates_recent": candidate_recall,
                    "buyers": len(buyers),
                    "customers": len(customers),
                    "report": metadata.table(report),
                }
            ),
        )

    return [submission, backtest]

"""The Kaggle submission for week W, and the evaluation report that scores W when its purchases are known."""

import dagster as dg
import numpy as np
import pandas as pd

from hm_assets import columns as c
from hm_assets.defs import metadata
from hm_assets.io.storage import ParquetHandle
from hm_assets.recsys import baselines, blend as blending, evaluation, history, rankers
from hm_assets.recsys.submission import format_submission, validate_submission

GROUP = "submission"
BLEND = "blend (recommendations)"
POPULARITY = "popularity (last week)"
RECENT = "recent purchases + popularity"


def build_assets(weekly: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    from hm_assets.defs.models.assets import MODELS, popular_list

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
    def evaluation_report(
        context: dg.AssetExecutionContext,
        recommendations: pd.DataFrame,
        blend: pd.DataFrame,
        candidates: ParquetHandle,
        candidates_popular: ParquetHandle,
        candidates_repurchase: pd.DataFrame,
        transactions: ParquetHandle,
        customers: pd.DataFrame,
        lgbm_ranker,
        lgbm_classifier,
    ):
        """MAP@12 and recall@12 on week W's purchases of each model, the blend, each candidate
        strategy on its own and the two baselines; overall and by segment (no history / dormant /
        active, see ``recsys.evaluation``); plus the LightGBM feature importance.

        Every list is filled with last week's popular articles to 12, as the submission is.
        Everything scored was built from data strictly before W. Weeks without known purchases
        (the target week) are not scorable: the asset then records nothing.
        """
        from hm_assets.defs.exploration.plots import bar_chart

        week = context.partition_key
        actual = history.week_rows(transactions, week, [c.CUSTOMER_ID, c.ARTICLE_ID])
        if actual.empty:
            context.log.info(f"week {week} has no known purchases; nothing to score")
            return
        buyers = np.unique(actual[c.CUSTOMER_ID].to_numpy()).astype(np.int32)
        buyer_history = history.read_weeks(history.weeks_before(transactions, week), [c.T_DAT, c.CUSTOMER_ID])
        buyer_history = buyer_history[buyer_history[c.CUSTOMER_ID].isin(buyers)]

        popular = popular_list(candidates_popular)

        def filled(ranked: pd.DataFrame) -> pd.DataFrame:
            return baselines.fill_with_popular(ranked, popular, buyers)

        cands = candidates.to_pandas(filter=[(c.CUSTOMER_ID, "in", buyers.tolist())])
        strategies = [col.removeprefix("rank_") for col in cands.columns if col.startswith("rank_")]
        predictions = {
            BLEND: recommendations[recommendations[c.CUSTOMER_ID].isin(buyers)],
            **{f"model: {m}": filled(evaluation.ranked_by(blend, blending.rank_column(m))) for m in MODELS},
            **{f"strategy: {s}": filled(evaluation.ranked_by(cands, f"rank_{s}")) for s in strategies},
            POPULARITY: baselines.popularity_predictions(popular, buyers),
            RECENT: filled(candidates_repurchase),
        }
        report = evaluation.score_predictions(predictions, actual)
        segments = evaluation.activity_segments(buyers, buyer_history, week)
        by_segment = evaluation.score_by_segment(predictions, actual, segments)
        by_segment_wide = by_segment.pivot(index=evaluation.METHOD, columns=evaluation.SEGMENT, values="map_at_12").reindex(report[evaluation.METHOD])
        seg_buyers = segments.value_counts().reindex(evaluation.SEGMENTS).to_dict()
        importance = pd.concat(
            [rankers.feature_importance(model).head(15).assign(model=name)[["model", "feature", "gain", "splits"]]
             for name, model in {"lgbm_ranker": lgbm_ranker, "lgbm_classifier": lgbm_classifier}.items()],
            ignore_index=True,
        )
        plot = bar_chart(report[evaluation.METHOD], report["map_at_12"], f"MAP@12 on week {week} ({len(buyers):,} buyers)", "MAP@12", horizontal=True)
        by_method = report.set_index(evaluation.METHOD)["map_at_12"]
        yield dg.Output(
            report,
            metadata=metadata.numbers(
                {
                    "map_at_12": by_method[BLEND],
                    "map_at_12_popularity": by_method[POPULARITY],
                    "map_at_12_recent": by_method[RECENT],
                    **{f"map_at_12_{m}": by_method[f"model: {m}"] for m in MODELS},
                    "buyers": len(buyers),
                    "buyers_by_segment": dg.MetadataValue.json({k: int(v) for k, v in seg_buyers.items()}),
                    "customers": len(customers),
                    "report": metadata.table(report),
                    "map_at_12_by_segment": metadata.table(by_segment_wide.reset_index()),
                    "by_segment": metadata.table(by_segment),
                    "feature_importance": metadata.table(importance),
                    "plot": metadata.image("MAP@12 by method", plot),
                }
            ),
        )

    return [submission, evaluation_report]

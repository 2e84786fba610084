"""What a person looks at after a backfill: MAP@12 and recall of every evaluated week."""

import dagster as dg
import pandas as pd

from hm_assets.defs import metadata
from hm_assets.defs.exploration import plots
from hm_assets.io.managers import SKIP_MISSING_PARTITIONS
from hm_assets.io.storage import ParquetHandle
from hm_assets.recsys import tracking

GROUP = "monitoring"
# The weekly asset whose output frame holds ``method, map_at_12, recall_at_12`` for one week.
EVALUATION_ASSET = "evaluation_report"

# Refresh once an evaluated week changes, after the runs in flight (a backfill) have finished.
REFRESH = (
    (dg.AutomationCondition.any_deps_updated() | dg.AutomationCondition.missing()).since_last_handled()
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
).with_label("an evaluated week changed and no run is updating one")


def build_assets(weekly: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    @dg.asset(
        group_name=GROUP,
        kinds={"pandas"},
        ins={
            "reports": dg.AssetIn(
                key=EVALUATION_ASSET,
                partition_mapping=dg.AllPartitionMapping(),
                metadata={SKIP_MISSING_PARTITIONS: True},
            )
        },
        automation_condition=REFRESH,
        description=(
            f"MAP@12 and recall@12 of every named prediction set, for every evaluated week: "
            f"`week, method, map_at_12, recall_at_12`. Reads the stored `{EVALUATION_ASSET}` of every "
            "week partition (weeks never evaluated, such as the target week, are skipped). The first "
            "thing to look at after a backfill: a table per metric and a plot over the weeks."
        ),
    )
    def evaluation_summary(context: dg.AssetExecutionContext, reports: ParquetHandle) -> pd.DataFrame:
        weeks = reports.names
        context.log.info(f"reading the {EVALUATION_ASSET} of {len(weeks)} evaluated week(s)")
        scores = tracking.stack_reports({week: reports.select([week]).to_pandas() for week in weeks})
        map_table = tracking.by_week(scores, tracking.MAP)
        recall_table = tracking.by_week(scores, tracking.RECALL)
        x = pd.to_datetime(map_table[tracking.WEEK])
        methods = [col for col in map_table.columns if col != tracking.WEEK]
        chart = plots.line_chart(
            x, {m: map_table[m] for m in methods}, "MAP@12 by week", ylabel="MAP@12", markers=True
        )
        recall_chart = plots.line_chart(
            x, {m: recall_table[m] for m in methods}, "recall@12 by week", ylabel="recall@12", markers=True
        )
        context.add_output_metadata(
            metadata.numbers(
                {
                    "weeks_evaluated": len(weeks),
                    "weeks_in_calendar": len(weekly.get_partition_keys()),
                    "first_week": weeks[0] if weeks else None,
                    "latest_week": weeks[-1] if weeks else None,
                    **{f"latest_map_at_12/{m}": map_table[m].iloc[-1] for m in methods},
                    "mean_by_method": metadata.table(tracking.mean_by_method(scores)),
                    "map_at_12": metadata.table(map_table),
                    "recall_at_12": metadata.table(recall_table),
                    "map_at_12_plot": metadata.image("MAP@12 by week", chart),
                    "recall_at_12_plot": metadata.image("recall@12 by week", recall_chart),
                }
            )
        )
        return scores

    return [evaluation_summary]

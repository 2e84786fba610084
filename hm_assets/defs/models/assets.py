"""Per-customer ranked picks for week W (today the baseline rule; later the rankers' blend)."""

import dagster as dg
import numpy as np
import pandas as pd

from hm_assets import columns as c
from hm_assets.recsys import baselines

GROUP = "models"
CUSTOMER_CHUNK = 250_000  # customers filled at a time: bounds memory at full scale


def build_assets(weekly: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    @dg.asset(
        group_name=GROUP,
        partitions_def=weekly,
        kinds={"pandas"},
        ins={"customers": dg.AssetIn(metadata={"columns": [c.CUSTOMER_ID]})},
    )
    def recommendations(
        context: dg.AssetExecutionContext,
        candidates_recent: pd.DataFrame,
        candidates_popularity: pd.DataFrame,
        customers: pd.DataFrame,
    ) -> pd.DataFrame:
        """12 ranked articles for every customer: own recent purchases, then popular articles."""
        ids = customers[c.CUSTOMER_ID].to_numpy(np.int32)
        chunks = [
            baselines.fill_with_popular(candidates_recent, candidates_popularity, ids[i : i + CUSTOMER_CHUNK])
            for i in range(0, len(ids), CUSTOMER_CHUNK)
        ]
        recs = pd.concat(chunks, ignore_index=True)
        context.add_output_metadata({"customers": len(ids), "rows": len(recs), "source": "recent purchases + popularity"})
        return recs

    return [recommendations]

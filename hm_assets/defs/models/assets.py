"""Per-customer ranked picks for week W (today the baseline rule; later the rankers' blend)."""

import dagster as dg
import numpy as np
import pandas as pd

from hm_assets import columns as c
from hm_assets.io.storage import ParquetHandle
from hm_assets.recsys import baselines

GROUP = "models"
CUSTOMER_CHUNK = 250_000  # customers filled at a time: bounds memory at full scale
POPULAR_ROWS = 4096  # first rows of candidates_popular: holds the first customer's whole list


def build_assets(weekly: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    @dg.asset(
        group_name=GROUP,
        partitions_def=weekly,
        kinds={"pandas"},
        ins={"customers": dg.AssetIn(metadata={"columns": [c.CUSTOMER_ID]})},
    )
    def recommendations(
        context: dg.AssetExecutionContext,
        candidates_repurchase: pd.DataFrame,
        candidates_popular: ParquetHandle,
        customers: pd.DataFrame,
    ) -> pd.DataFrame:
        """12 ranked articles for every customer: own past purchases (repurchase strategy), then
        the popular strategy's list (the same for everyone, so only its first rows are read)."""
        ids = customers[c.CUSTOMER_ID].to_numpy(np.int32)
        popular = baselines.shared_list(next(candidates_popular.iter_batches(POPULAR_ROWS)).to_pandas())
        chunks = [
            baselines.fill_with_popular(candidates_repurchase, popular, ids[i : i + CUSTOMER_CHUNK])
            for i in range(0, len(ids), CUSTOMER_CHUNK)
        ]
        recs = pd.concat(chunks, ignore_index=True)
        context.add_output_metadata({"customers": len(ids), "rows": len(recs), "source": "repurchase + popular"})
        return recs

    return [recommendations]

"""Wall time and peak memory of the feature assets and of the pair features, for one week.

    python benchmarks/bench_features.py WORK [--week 2020-09-16] [--pairs 50000000]

WORK holds an ingested warehouse (``WORK/warehouse/...``; make one with hard links:
``cp -al /work/bench/full_wh WORK``). Each step runs in a fresh process so that its peak RSS
is its own:

1. ``customer_features``, ``article_features``, ``segment_popularity``: each materialized with
   ``dagster.materialize`` for one week (run overhead, reading its inputs, computing, storing);
2. pair features: candidate pairs are built first (not timed): the active customers (buyers
   of the last weeks before W, most recent first, as many as ``pairs / 100``), each with their
   own distinct articles of the last 26 weeks, most recent first, filled with the week's most
   popular articles up to 100; then, in a fresh process, ``compute_pair_features`` is timed on
   them with all history before W (104 weeks).

Prints one JSON line per step: wall seconds, CPU seconds, peak RSS (VmHWM) and the RSS before
the step. The data's first and last day are the H&M ones unless ``HM_FIRST_DAY`` /
``HM_LAST_DAY`` say otherwise. Not part of the test suite.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
PER_CUSTOMER = 100
ASSETS = ("customer_features", "article_features", "segment_popularity")


def _peak_rss_gib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 2**20
    return float("nan")


def _rss_gib() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**30


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_asset(name: str, work: str, week: str) -> dict:
    import dagster as dg

    from hm_assets.definitions import build_definitions
    from hm_assets.defs.features import assets as feature_assets
    from hm_assets.defs.raw import assets as raw
    from hm_assets.runs import materializations
    from hm_assets.settings import Settings

    env = Settings.from_env()
    settings = Settings(first_day=env.first_day, last_day=env.last_day, raw_dir=work, warehouse=work)
    defs = build_definitions(settings)
    weekly = defs.resolve_job_def("weekly_pipeline").partitions_def
    asset = next(a for a in feature_assets.build_assets(weekly) if a.key.to_user_string() == name)
    floor, cpu, started = _rss_gib(), _cpu(), time.perf_counter()
    result = dg.materialize(
        [*raw.assets, asset], selection=[asset], partition_key=week, resources=defs.resources,
        instance=dg.DagsterInstance.ephemeral(),
    )
    seconds = time.perf_counter() - started
    meta = materializations(result)[name]
    return {"step": name, "week": week, "wall_s": round(seconds, 1), "cpu_s": round(_cpu() - cpu, 1),
            "peak_rss_gib": round(_peak_rss_gib(), 2), "rss_before_gib": round(floor, 2),
            "rows": meta["rows"], "columns": meta["columns"]}


def _tables(work: str):
    from upath import UPath

    from hm_assets.io.storage import ParquetHandle, resolve

    base = UPath(work) / "warehouse"
    return {name: ParquetHandle(resolve(base / name)) for name in ("transactions", "articles", "customers")}


def build_pairs(work: str, week: str, n_pairs: int) -> dict:
    """Candidate-like pairs: own recent articles then popular ones, 100 per active customer."""
    import numpy as np
    import pandas as pd

    from hm_assets import columns as c
    from hm_assets.recsys import baselines, history

    started = time.perf_counter()
    tx = _tables(work)["transactions"]
    past = history.read_weeks(history.weeks_before(tx, week, 26), [c.T_DAT, c.CUSTOMER_ID, c.ARTICLE_ID])
    n_customers = n_pairs // PER_CUSTOMER
    last = past.groupby(c.CUSTOMER_ID)[c.T_DAT].max().sort_values(ascending=False, kind="stable")
    active = np.sort(last.index.to_numpy(np.int32)[:n_customers])
    mine = past[past[c.CUSTOMER_ID].isin(active)]
    recent = baselines.recent_purchases(mine, pd.Timestamp(week), PER_CUSTOMER)
    popular = baselines.popular_articles(past, pd.Timestamp(week), PER_CUSTOMER, 1, np.array([], np.int32))
    picks = baselines.fill_with_popular(recent, popular, active, k=PER_CUSTOMER)
    pairs = picks[[c.CUSTOMER_ID, c.ARTICLE_ID]]
    out = Path(work) / f"bench_pairs_{week}.parquet"
    pairs.to_parquet(out, index=False)  # a benchmark input, not a pipeline table
    return {"step": "build_pairs", "pairs": len(pairs), "customers": len(active),
            "wall_s": round(time.perf_counter() - started, 1), "peak_rss_gib": round(_peak_rss_gib(), 2)}


def run_pairs(work: str, week: str) -> dict:
    import pandas as pd

    from hm_assets.io.storage import table_to_pandas
    from hm_assets.recsys import features, history

    tables = _tables(work)
    pairs = pd.read_parquet(Path(work) / f"bench_pairs_{week}.parquet")
    past = history.read_weeks(history.weeks_before(tables["transactions"], week, features.HISTORY_WEEKS),
                              features.PAIR_HISTORY_COLUMNS)
    articles = table_to_pandas(tables["articles"].read(features.PAIR_ARTICLE_COLUMNS))
    floor, cpu, started = _rss_gib(), _cpu(), time.perf_counter()
    table = features.compute_pair_features(pairs, past, articles, week)
    seconds = time.perf_counter() - started
    return {"step": "pair_features", "week": week, "pairs": len(pairs), "history_rows": len(past),
            "columns": len(table.columns), "wall_s": round(seconds, 1), "cpu_s": round(_cpu() - cpu, 1),
            "peak_rss_gib": round(_peak_rss_gib(), 2), "rss_before_gib": round(floor, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("work")
    parser.add_argument("--week", default="2020-09-16")
    parser.add_argument("--pairs", type=int, default=50_000_000)
    parser.add_argument("--only", choices=[*ASSETS, "build_pairs", "pair_features"], help="run one step here")
    args = parser.parse_args()
    if args.only:
        if args.only in ASSETS:
            print(json.dumps(run_asset(args.only, args.work, args.week)), flush=True)
        elif args.only == "build_pairs":
            print(json.dumps(build_pairs(args.work, args.week, args.pairs)), flush=True)
        else:
            print(json.dumps(run_pairs(args.work, args.week)), flush=True)
        return
    for step in (*ASSETS, "build_pairs", "pair_features"):
        cmd = [sys.executable, __file__, args.work, "--week", args.week, "--pairs", str(args.pairs), "--only", step]
        subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main()

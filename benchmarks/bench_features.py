"""Wall time and peak memory of the feature assets and of the pair features, for one week.

    python benchmarks/bench_features.py WORK [--week 2020-09-16] [--pairs 50000000]

WORK holds an ingested warehouse (``WORK/warehouse/...``; make one with hard links:
``cp -al /work/bench/full_wh WORK``). Each step runs in a fresh process so that its peak RSS
is its own:

1. ``customer_features``, ``article_features``, ``segment_popularity``: each materialized with
   ``dagster.materialize`` for one week (run overhead, reading its inputs, computing, storing),
   then ``all_features``: the three in one run, in one process, as ``make demo`` runs them;
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
    """Materialize one feature asset (or ``all_features``: the three in one run, one process)."""
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
    chosen = [a for a in feature_assets.build_assets(weekly) if name in ("all_features", a.key.to_user_string())]
    floor, cpu, started = _rss_gib(), _cpu(), time.perf_counter()
    result = dg.materialize(
        [*raw.assets, *chosen], selection=chosen, partition_key=week, resources=defs.resources,
        instance=dg.DagsterInstance.ephemeral(),
    )
    seconds = time.perf_counter() - started
    meta = materializations(result)
    return {"step": name, "week": week, "wall_s": round(seconds, 1), "cpu_s": round(_cpu() - cpu, 1),
            "peak_rss_gib": round(_peak_rss_gib(), 2), "rss_before_gib": round(floor, 2),
            "rows": {a: meta[a]["rows"] for a in meta}, "columns": {a: meta[a]["columns"] for a in meta}}


def _tables(work: str):
    from upath import UPath

    from hm_assets.io.storage import ParquetHandle, resolve

    base = UPath(work) / "warehouse"
    return {name: ParquetHandle(resolve(base / name)) for name in ("transactions", "articles", "customers")}


def build_pairs(work: str, week: str, n_pairs: int) -> dict:
    """Candidate-like pairs: own recent articles then popular ones, 100 per active customer."""
    import numpy as np
    import pandas as pd

    from hm_assets import calendar
    from hm_assets import columns as c
    from hm_assets.recsys import history, keys

    started = time.perf_counter()
    tx = _tables(work)["transactions"]
    past = history.read_weeks(history.weeks_before(tx, week, 26), [c.T_DAT, c.CUSTOMER_ID, c.ARTICLE_ID])
    day = past[c.T_DAT].to_numpy().astype("datetime64[D]").astype(np.int64) - calendar.day_number(week)  # < 0
    cust = past[c.CUSTOMER_ID].to_numpy(np.int64)
    art = past[c.ARTICLE_ID].to_numpy(np.int64)
    del past
    # active customers: the most recent buyers, as many as n_pairs / 100
    last = np.full(int(cust.max()) + 1, np.iinfo(np.int64).min)
    np.maximum.at(last, cust, day)
    buyers = np.flatnonzero(last > np.iinfo(np.int64).min)
    active = np.sort(buyers[np.argsort(-last[buyers], kind="stable")][: n_pairs // PER_CUSTOMER])
    keep = np.isin(cust, active)
    cust, art, day = cust[keep], art[keep], day[keep]
    # own articles, most recent first: one row per (customer, article) at its last day
    order = np.lexsort((-day, keys.pair_key(cust, art)))
    pk = keys.pair_key(cust, art)[order]
    first = np.r_[True, pk[1:] != pk[:-1]]
    own_c, own_a = keys.split_pair_key(pk[first])
    own_day = day[order][first]
    order = np.lexsort((own_a, -own_day, own_c))
    own_c, own_a = own_c[order], own_a[order]
    pos = np.arange(len(own_c)) - np.searchsorted(own_c, own_c)
    own_c, own_a = own_c[pos < PER_CUSTOMER], own_a[pos < PER_CUSTOMER]
    # fill with last week's most bought articles, skipping what the customer already has
    recent = art[day >= -calendar.WEEK_DAYS]
    ids, counts = np.unique(recent, return_counts=True)
    popular = ids[np.argsort(-counts, kind="stable")][:PER_CUSTOMER].astype(np.int32)
    fill_c = np.repeat(active, len(popular)).astype(np.int32)
    fill_a = np.tile(popular, len(active))
    fresh = ~np.isin(keys.pair_key(fill_c, fill_a), keys.pair_key(own_c, own_a))
    fill_c, fill_a = fill_c[fresh], fill_a[fresh]
    have = np.bincount(own_c, minlength=int(active.max()) + 1)
    pos = np.arange(len(fill_c)) - np.searchsorted(fill_c, fill_c)
    take = pos < PER_CUSTOMER - have[fill_c]
    both_c = np.concatenate([own_c, fill_c[take]])
    both_a = np.concatenate([own_a, fill_a[take]])
    order = np.argsort(both_c, kind="stable")
    pairs = pd.DataFrame({c.CUSTOMER_ID: both_c[order].astype(np.int32), c.ARTICLE_ID: both_a[order].astype(np.int32)})
    out = Path(work) / f"bench_pairs_{week}.parquet"
    pairs.to_parquet(out, index=False)  # a benchmark input, not a pipeline table
    return {"step": "build_pairs", "pairs": len(pairs), "customers": len(active),
            "own_pairs": len(own_c), "wall_s": round(time.perf_counter() - started, 1),
            "peak_rss_gib": round(_peak_rss_gib(), 2)}


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


def run_segment_pairs(work: str, week: str) -> dict:
    """``segment_pair_features`` on the benchmark pairs, with the stored ``segment_popularity`` of W."""
    import pandas as pd
    from upath import UPath

    from hm_assets import columns as c
    from hm_assets.io.storage import ParquetHandle, resolve, table_to_pandas
    from hm_assets.recsys import segments

    pairs = pd.read_parquet(Path(work) / f"bench_pairs_{week}.parquet")
    popularity = ParquetHandle(resolve(UPath(work) / "warehouse" / "segment_popularity" / week)).to_pandas()
    customers = table_to_pandas(_tables(work)["customers"].read([c.CUSTOMER_ID, c.AGE, c.POSTAL_CODE]))
    floor, cpu, started = _rss_gib(), _cpu(), time.perf_counter()
    table = segments.segment_pair_features(pairs, popularity, segments.customer_segments(customers))
    seconds = time.perf_counter() - started
    return {"step": "segment_pair_features", "week": week, "pairs": len(pairs), "columns": len(table.columns),
            "found_age_band": round(float(table["s_age_band_rank"].notna().mean()), 4),
            "found_postal": round(float(table["s_postal_rank"].notna().mean()), 4),
            "wall_s": round(seconds, 1), "cpu_s": round(_cpu() - cpu, 1),
            "peak_rss_gib": round(_peak_rss_gib(), 2), "rss_before_gib": round(floor, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("work")
    parser.add_argument("--week", default="2020-09-16")
    parser.add_argument("--pairs", type=int, default=50_000_000)
    parser.add_argument("--only", choices=[*ASSETS, "all_features", "build_pairs", "pair_features", "segment_pairs"], help="run one step here")
    args = parser.parse_args()
    if args.only:
        if args.only in (*ASSETS, "all_features"):
            print(json.dumps(run_asset(args.only, args.work, args.week)), flush=True)
        elif args.only == "build_pairs":
            print(json.dumps(build_pairs(args.work, args.week, args.pairs)), flush=True)
        elif args.only == "pair_features":
            print(json.dumps(run_pairs(args.work, args.week)), flush=True)
        else:
            print(json.dumps(run_segment_pairs(args.work, args.week)), flush=True)
        return
    for step in (*ASSETS, "all_features", "build_pairs", "pair_features", "segment_pairs"):
        cmd = [sys.executable, __file__, args.work, "--week", args.week, "--pairs", str(args.pairs), "--only", step]
        subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main()

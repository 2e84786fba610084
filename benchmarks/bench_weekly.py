"""Benchmark: the weekly pipeline for the held-out and the target week on an ingested warehouse.

    python benchmarks/bench_weekly.py DATA_DIR WAREHOUSE

Runs `weekly_pipeline` in-process for the last known week (with its backtest) and the target
week, printing wall time, the process's peak RSS so far, the backtest table and the submission.
"""

import logging
import resource
import sys
import time

import dagster as dg

from hm_assets import calendar
from hm_assets.definitions import WEEKLY_JOB, build_definitions
from hm_assets.runs import materializations
from hm_assets.settings import Settings


def main(argv=None) -> int:
    data_dir, warehouse = (argv or sys.argv[1:])[:2]
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    settings = Settings.from_env()
    settings = Settings(first_day=settings.first_day, last_day=settings.last_day, raw_dir=data_dir, warehouse=warehouse)
    job = build_definitions(settings).resolve_job_def(WEEKLY_JOB)
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    ok = True
    for week in (calendar.week_key(settings.last_known_week), calendar.week_key(settings.target_week)):
        started = time.perf_counter()
        result = job.execute_in_process(partition_key=week, instance=dg.DagsterInstance.ephemeral(), run_config=quiet, raise_on_error=False)
        ok &= result.success
        meta = materializations(result)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        print(f"{week}: success={result.success} wall={time.perf_counter() - started:.1f} s peak_rss={peak:.2f} GiB")
        if "backtest" in meta:
            print(meta["backtest"]["report"])
        if "submission" in meta:
            print(f"submission: {meta['submission']['path']} ({meta['submission']['rows']} rows)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

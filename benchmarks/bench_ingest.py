"""Benchmark: ingest a dataset with the raw job and report wall time and peak RSS.

    python benchmarks/bench_ingest.py DATA_DIR [--warehouse DIR]

Runs the project's `ingest_raw` job in this process (as `make demo` does) against DATA_DIR,
with a throwaway warehouse, then prints per-asset step times, the total wall time and the
process's peak resident memory. For an outside view run it under `/usr/bin/time -v`.
"""

import argparse
import logging
import resource
import sys
import tempfile
import time

import dagster as dg

from hm_assets.definitions import RAW_JOB, build_definitions
from hm_assets.settings import Settings


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir")
    parser.add_argument("--warehouse", default=None)
    args = parser.parse_args(argv)
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    warehouse = args.warehouse or tempfile.mkdtemp(prefix="hm_bench_wh_")
    settings = Settings(raw_dir=args.data_dir, warehouse=warehouse)
    job = build_definitions(settings).resolve_job_def(RAW_JOB)
    instance = dg.DagsterInstance.ephemeral()
    started = time.perf_counter()
    result = job.execute_in_process(
        instance=instance,
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        raise_on_error=False,
    )
    wall = time.perf_counter() - started
    steps = {}
    for entry in instance.all_logs(result.run_id):
        event = entry.dagster_event
        if event and event.event_type_value in ("STEP_START", "STEP_SUCCESS", "STEP_FAILURE"):
            steps.setdefault(event.step_key, {})[event.event_type_value] = entry.timestamp
    for step, t in steps.items():
        end = t.get("STEP_SUCCESS", t.get("STEP_FAILURE"))
        print(f"{step:14s} {end - t['STEP_START']:8.1f} s")
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"ingest_raw: success={result.success} wall={wall:.1f} s peak_rss={peak_gib:.2f} GiB warehouse={warehouse}")
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())

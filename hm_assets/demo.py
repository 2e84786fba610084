"""The main job on the embedded default: ``python -m hm_assets.demo`` (``make demo``).

1. If the raw folder has no Kaggle files, generate the synthetic ``small`` dataset there.
2. Ingest and validate the raw tables, and refresh the exploration assets.
3. Run the weekly pipeline for the last known week (backtest) and for the target week.
4. Print the backtest MAP@12 beside the baselines, and the submission's path.

Runs are recorded in ``$DAGSTER_HOME`` when it is set, so they show up in the UI.
"""

import argparse
import logging
import os
import sys
import time
from pathlib import Path

import dagster as dg

from hm_assets import schemas
from hm_assets.definitions import EXPLORE_JOB, RAW_JOB, WEEKLY_JOB, build_definitions
from hm_assets.partitions import week_keys
from hm_assets.runs import materializations
from hm_assets.settings import Settings


def _instance() -> dg.DagsterInstance:
    return dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()


def ensure_raw_data(settings: Settings, scale: str, seed: int) -> bool:
    """Generate synthetic data into an empty raw folder; returns True if it generated."""
    raw = Path(settings.raw_dir)
    if any((raw / f).exists() for f in schemas.CSV_SCHEMAS):
        return False
    from hm_assets.synth import generate

    generate(raw, scale=scale, seed=seed)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="small", help="synthetic scale if data/raw is empty")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log-level", default="WARNING", help="Dagster console log level (DEBUG shows every event)")
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    started = time.perf_counter()
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    quiet = {"loggers": {"console": {"config": {"log_level": args.log_level}}}}
    if ensure_raw_data(settings, args.scale, args.seed):
        print(f"generated synthetic '{args.scale}' data in {settings.raw_dir} ({time.perf_counter() - started:.1f} s)")

    defs = build_definitions(settings)
    instance = _instance()
    raw = defs.resolve_job_def(RAW_JOB).execute_in_process(instance=instance, run_config=quiet, raise_on_error=False)
    if not raw.success:
        print("ingestion failed; see the errors above (nothing downstream was run)", file=sys.stderr)
        return 1

    # the week partitions follow the stored data: load the definitions again, as the daemon does
    defs = build_definitions(settings)
    explored = defs.resolve_job_def(EXPLORE_JOB).execute_in_process(instance=instance, run_config=quiet)
    weekly = defs.resolve_job_def(WEEKLY_JOB)
    holdout, target = week_keys(settings)[-2:]
    scored = weekly.execute_in_process(partition_key=holdout, instance=instance, run_config=quiet)
    final = weekly.execute_in_process(partition_key=target, instance=instance, run_config=quiet)

    backtest = materializations(scored).get("backtest", {})
    submission = materializations(final).get("submission", {})
    print(f"\nBacktest on week {holdout} (everything built from data before it; "
          f"{backtest.get('buyers', 0)} buyers scored):\n{backtest.get('report', '(no purchases in that week)')}\n")
    print(f"Submission for target week {target}: {submission.get('path')} ({submission.get('rows')} rows)")
    print(f"Exploration assets materialized: {len(materializations(explored))} (see the UI: make dev)")
    print(f"Wall time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The main job on the embedded default: ``python -m hm_assets.demo`` (``make demo``).

1. If the raw folder has no Kaggle files, generate the synthetic ``small`` dataset there.
2. Ingest and validate the raw tables, and refresh the exploration assets.
3. Build the weekly inputs (features, candidates, candidate feature rows) of every week the
   models need, oldest first: the training and tuning weeks of the held-out week, up to the
   target week.
4. Train, blend and predict for the last known week (held out, scored) and the target week.
5. Print the evaluation table (every model, the blend, each strategy, the baselines), and the
   submission's path.

Runs are recorded in ``$DAGSTER_HOME`` when it is set, so they show up in the UI.
"""

import argparse
import logging
import os
import sys
import time
from pathlib import Path

import dagster as dg

from hm_assets import calendar, schemas
from hm_assets.defs.models.assets import TRAIN_WEEKS
from hm_assets.definitions import EXPLORE_JOB, INPUTS_JOB, MODELS_JOB, RAW_JOB, build_definitions
from hm_assets.partitions import week_keys
from hm_assets.runs import failure_messages, materializations
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
    holdout, target = week_keys(settings)[-2:]
    first = calendar.shift_week(holdout, -(TRAIN_WEEKS + 1))
    weeks = [calendar.week_key(calendar.shift_week(first, i)) for i in range(TRAIN_WEEKS + 3)]
    inputs, models = defs.resolve_job_def(INPUTS_JOB), defs.resolve_job_def(MODELS_JOB)
    for week in weeks:
        done = inputs.execute_in_process(partition_key=week, instance=instance, run_config=quiet, raise_on_error=False)
        if not done.success:
            print(f"weekly inputs failed for {week}:\n{failure_messages(done)}", file=sys.stderr)
            return 1
        print(f"weekly inputs {week} done ({time.perf_counter() - started:.0f} s)")
    runs = {}
    for week in (holdout, target):
        runs[week] = models.execute_in_process(partition_key=week, instance=instance, run_config=quiet, raise_on_error=False)
        if not runs[week].success:
            print(f"models failed for {week}:\n{failure_messages(runs[week])}", file=sys.stderr)
            return 1
        print(f"models and submission {week} done ({time.perf_counter() - started:.0f} s)")

    scored = materializations(runs[holdout])
    report = scored.get("evaluation_report", {})
    submission = materializations(runs[target]).get("submission", {})
    print(f"\nEvaluation on week {holdout} (everything built from data before it; "
          f"{report.get('buyers', 0)} buyers scored):\n{report.get('report', '(no purchases in that week)')}\n")
    print(f"MAP@12 by customer segment (no history / dormant = nothing in the 4 weeks before / active):\n"
          f"{report.get('map_at_12_by_segment', '')}\n")
    print(f"Blend weights (tuned on {scored.get('blend', {}).get('tuning_week')}): {scored.get('blend', {}).get('weights')}")
    print(f"Submission for target week {target}: {submission.get('path')} ({submission.get('rows')} rows)")
    print(f"Exploration assets materialized: {len(materializations(explored))} (see the UI: make dev)")
    print(f"Explain one customer's picks: python -m hm_assets.explain CUSTOMER_HEX [--week {holdout}]")
    print(f"Wall time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

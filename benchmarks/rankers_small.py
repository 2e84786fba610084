"""MAP@12 of every model, the blend, each strategy and the baselines, through the real graph.

Runs the project's jobs on a synthetic dataset (``small`` by default): ingestion, then the weekly
inputs of every week needed, oldest first, then the models and the evaluation report of each of
the last ``--weeks`` known weeks. Prints each method's MAP@12 on the last known week and its
mean over those weeks (one week of ``small`` has ~1,300 buyers: noisy).

Usage: ``python benchmarks/rankers_small.py [--profile fashion|grocery] [--scale small]
[--seed 0] [--weeks 4] [--out DIR]`` (DIR keeps the data and warehouse; default: a temp dir).
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import dagster as dg
import pandas as pd

from hm_assets import calendar
from hm_assets.defs.models.assets import TRAIN_WEEKS
from hm_assets.definitions import INPUTS_JOB, MODELS_JOB, RAW_JOB, build_definitions
from hm_assets.runs import failure_messages, materializations
from hm_assets.settings import Settings
from hm_assets.synth import generate

QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


def run(root: Path, profile: str, scale: str, seed: int, weeks: int, models_only: bool = False) -> pd.DataFrame:
    started = time.perf_counter()
    raw = root / "raw"
    if not (raw / "transactions_train.csv").exists():
        generate(raw, scale=scale, seed=seed, profile=profile)
    days = pd.read_csv(raw / "transactions_train.csv", usecols=["t_dat"])["t_dat"]
    settings = Settings(first_day=calendar.as_date(days.min()), last_day=calendar.as_date(days.max()), raw_dir=str(raw), warehouse=str(root / "store"))
    defs, instance = build_definitions(settings), dg.DagsterInstance.ephemeral()

    def job(name: str, week: str | None = None):
        result = defs.resolve_job_def(name).execute_in_process(instance=instance, partition_key=week, run_config=QUIET, raise_on_error=False)
        if not result.success:
            raise SystemExit(f"{name} {week or ''} failed:\n{failure_messages(result)}")
        print(f"{name} {week or ''} done ({time.perf_counter() - started:.0f} s)", flush=True)
        return result

    if not models_only:
        job(RAW_JOB)
    last = settings.last_known_week
    predicted = [calendar.week_key(calendar.shift_week(last, -i)) for i in range(weeks - 1, -1, -1)]
    first = calendar.shift_week(predicted[0], -(TRAIN_WEEKS + 1))
    for i in range(0 if models_only else TRAIN_WEEKS + 1 + weeks):
        job(INPUTS_JOB, calendar.week_key(calendar.shift_week(first, i)))
    tables = []
    for week in predicted:
        meta = materializations(job(MODELS_JOB, week))
        print(meta["evaluation_report"]["report"], "\nweights:", meta["blend"]["weights"], flush=True)
        stored = root / "store" / "warehouse" / "evaluation_report" / f"{week}.parquet"
        tables.append(pd.read_parquet(stored).assign(week=week))
    both = pd.concat(tables, ignore_index=True)
    wide = both.pivot_table(index="method", columns="week", values="map_at_12", sort=False)
    out = pd.DataFrame({f"MAP@12 {predicted[-1]}": wide[predicted[-1]], f"mean of {weeks} weeks": wide.mean(axis=1)})
    print(f"\n{profile} {scale} seed {seed}: {time.perf_counter() - started:.0f} s\n{out.to_markdown(floatfmt='.5f')}")
    return out


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="fashion")
    parser.add_argument("--scale", default="small")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--weeks", type=int, default=4, help="last known weeks to predict and score")
    parser.add_argument("--models-only", action="store_true", help="reuse the inputs already in --out (a rerun of the models)")
    parser.add_argument("--out", type=Path, help="folder for data and warehouse (default: temporary)")
    args = parser.parse_args(argv)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        return run(args.out, args.profile, args.scale, args.seed, args.weeks, args.models_only)
    with tempfile.TemporaryDirectory() as tmp:
        return run(Path(tmp), args.profile, args.scale, args.seed, args.weeks)


if __name__ == "__main__":
    main()

"""Wall time and peak memory of each exploration asset on a dataset in the Kaggle format.

    python benchmarks/bench_exploration.py --data /tmp/hm_full --work /tmp/hm_full_bench

1. Ingests the three CSV files through the raw assets into ``<work>/store`` (skipped when a
   warehouse is already there, unless ``--ingest``).
2. Materializes each exploration asset in a fresh process, so that its peak RSS is its own,
   and prints wall time and CPU time (user + system; the fairer figure on a shared machine) of
   the whole ``materialize`` call (Dagster's run overhead, reading its inputs, computing,
   rendering, storing) and the process's peak RSS, beside the RSS of the same process just
   before the run (imports and Dagster: the floor every asset pays).

The data's first and last day are the H&M ones unless ``HM_FIRST_DAY`` / ``HM_LAST_DAY`` say
otherwise. Not part of the test suite.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path


def _settings(data: str, work: str):
    from hm_assets.settings import Settings

    env = Settings.from_env()
    return Settings(first_day=env.first_day, last_day=env.last_day, raw_dir=data, warehouse=str(Path(work) / "store"))


def _peak_rss_mib() -> float:
    # VmHWM, not getrusage: ru_maxrss survives fork+exec, so a child would report its parent's peak
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: KiB on most systems


def _rss_mib() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def ingest(data: str, work: str) -> float:
    import dagster as dg

    from hm_assets.definitions import RAW_JOB, build_definitions

    started = time.perf_counter()
    result = build_definitions(_settings(data, work)).resolve_job_def(RAW_JOB).execute_in_process(
        instance=dg.DagsterInstance.ephemeral()
    )
    if not result.success:
        raise SystemExit("ingestion failed")
    return time.perf_counter() - started


def run_one(name: str, data: str, work: str) -> dict:
    import dagster as dg

    from hm_assets.defs.exploration import assets as exploration
    from hm_assets.defs.raw import assets as raw
    from hm_assets.definitions import build_definitions
    from hm_assets.runs import materializations

    asset = next(a for a in exploration.assets if a.key.to_user_string() == name)
    resources = build_definitions(_settings(data, work)).resources
    floor = _rss_mib()
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    result = dg.materialize(
        [*raw.assets, asset], selection=[asset], resources=resources, instance=dg.DagsterInstance.ephemeral()
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu_seconds = (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime)
    metadata = materializations(result)[name]
    metadata_kib = sum(len(str(v)) for v in metadata.values()) / 1024
    return {"asset": name, "seconds": round(seconds, 1), "cpu_seconds": round(cpu_seconds, 1),
            "peak_rss_mib": round(_peak_rss_mib()),
            "rss_before_mib": round(floor), "metadata_kib": round(metadata_kib), "success": result.success}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="folder with articles.csv, customers.csv, transactions_train.csv")
    parser.add_argument("--work", required=True, help="scratch folder for the warehouse")
    parser.add_argument("--ingest", action="store_true", help="ingest even if a warehouse exists")
    parser.add_argument("--asset", action="append", help="only these exploration assets (repeatable)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # child process: run this asset, print JSON
    args = parser.parse_args(argv)

    if args.one:
        print(json.dumps(run_one(args.one, args.data, args.work)))
        return 0

    from hm_assets.defs.exploration import assets as exploration

    if args.ingest or not (Path(args.work) / "store" / "warehouse" / "transactions").exists():
        print(f"ingesting {args.data} ...", flush=True)
        print(f"ingestion: {ingest(args.data, args.work):.0f} s", flush=True)
    names = args.asset or [a.key.to_user_string() for a in exploration.assets]
    rows = []
    for name in names:
        out = subprocess.run(
            [sys.executable, __file__, "--data", args.data, "--work", args.work, "--one", name],
            capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        if out.returncode:
            print(out.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"{name} failed")
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), flush=True)
    print("\n| asset | wall s | CPU s | peak RSS MiB | RSS before run MiB | metadata KiB |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['asset']} | {r['seconds']} | {r['cpu_seconds']} | {r['peak_rss_mib']} | {r['rss_before_mib']} "
              f"| {r['metadata_kib']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

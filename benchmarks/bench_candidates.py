"""Benchmark: every candidate strategy and the merged set for one week, asset by asset.

    python benchmarks/bench_candidates.py [--data DIR] [--warehouse DIR] [--week 2020-09-16]
    flock /work/bench/heavy.lock python benchmarks/bench_candidates.py --full [--week 2020-09-23]

Default: generates ``small`` (seed 0) into ``--data`` (a temporary folder if not given), ingests
it with the ``ingest_raw`` job, then materializes ``segment_popularity``, the factor models,
every ``candidates_<strategy>`` and the merged ``candidates`` for ``--week`` (the backtest week
2020-09-16: its scope is its buyers, so recall is measured). ``--full`` runs on a hard-linked
copy of /work/bench/full_wh (default week 2020-09-23, the target week: every customer in scope).

Each asset runs in its own child process, so the wall time and peak RSS printed are that
asset's alone (process start and imports included, about 3 s). ``--total-cap`` and
``--cap-per-strategy`` set the merge's config (to trace the recall curve beyond the default);
``--only ASSET ...`` reruns some assets on an already materialized week.
"""

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

FULL_RAW, FULL_WH, FULL_COPY = Path("/work/bench/full_raw"), Path("/work/bench/full_wh"), Path("/work/bench/candidates_wh")
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def settings_for(raw: Path, warehouse: Path):
    from hm_assets.settings import Settings

    env = Settings.from_env()
    return Settings(first_day=env.first_day, last_day=env.last_day, raw_dir=str(raw), warehouse=str(warehouse))


def asset_order() -> list[str]:
    from hm_assets.defs.candidates import assets as ca
    from hm_assets.recsys import strategies as st

    return ["segment_popularity", *(ca.model_asset(m) for m in st.MODELS), *ca.STRATEGY_ASSETS, ca.MERGED]


def run_one(args) -> int:
    """Child: materialize one asset for the week, write its metadata as JSON."""
    import dagster as dg

    from hm_assets.definitions import build_definitions
    from hm_assets.runs import materializations

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    defs = build_definitions(settings_for(args.data, args.warehouse))
    config = dict(QUIET)
    if args.one == "candidates":
        merge = {"total_cap": args.total_cap, "cap_per_strategy": args.cap_per_strategy}
        config["ops"] = {"candidates": {"config": {k: v for k, v in merge.items() if v is not None}}}
    result = dg.materialize(
        [*defs.assets, *defs.asset_checks], selection=[args.one], partition_key=args.week,
        instance=dg.DagsterInstance.ephemeral(), resources=defs.resources, run_config=config, raise_on_error=False,
    )
    meta = materializations(result).get(args.one, {})
    keep = {k: (v if isinstance(v, (int, float, str)) else str(v)) for k, v in meta.items()}
    Path(args.out).write_text(json.dumps({"success": result.success, "meta": keep}))
    return 0 if result.success else 1


def child(args, asset: str, out: Path) -> tuple[float, float, dict]:
    cmd = [sys.executable, __file__, "--one", asset, "--data", str(args.data), "--warehouse", str(args.warehouse),
           "--week", args.week, "--out", str(out)]
    for flag in ("total_cap", "cap_per_strategy"):
        if getattr(args, flag) is not None:
            cmd += [f"--{flag.replace('_', '-')}", str(getattr(args, flag))]
    rss_file = out.with_suffix(".rss")
    started = time.perf_counter()
    # /usr/bin/time forks the child itself, so its peak RSS is the child's alone (a child forked
    # from this process would start by counting this process's pages)
    status = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(rss_file), *cmd]).returncode
    wall = time.perf_counter() - started
    report = json.loads(out.read_text()) if out.exists() else {"success": False, "meta": {}}
    if status != 0 or not report["success"]:
        raise SystemExit(f"{asset} failed (exit status {status}); see the output above")
    return wall, int(rss_file.read_text().split()[-1]) / 2**20, report["meta"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="folder with the three CSV files")
    parser.add_argument("--warehouse", type=Path, help="warehouse folder (default: next to --data)")
    parser.add_argument("--week", help="partition key (default 2020-09-16; --full: 2020-09-23)")
    parser.add_argument("--full", action="store_true", help="run on a hard-linked copy of /work/bench/full_wh")
    parser.add_argument("--total-cap", type=int)
    parser.add_argument("--cap-per-strategy", type=int)
    parser.add_argument("--only", nargs="+", help="run only these assets (their inputs must be materialized)")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        return run_one(args)

    tmp = tempfile.TemporaryDirectory()
    if args.full:
        args.data, args.warehouse = FULL_RAW, args.warehouse or FULL_COPY
        args.week = args.week or "2020-09-23"
        if not args.warehouse.exists():
            subprocess.run(["cp", "-al", str(FULL_WH), str(args.warehouse)], check=True)
    else:
        args.week = args.week or "2020-09-16"
        if args.data is None:
            args.data = Path(tmp.name) / "raw"
        args.warehouse = args.warehouse or args.data.parent / "warehouse"
        if not (args.data / "transactions_train.csv").exists():
            from hm_assets.synth import generate

            started = time.perf_counter()
            generate(args.data, scale="small", seed=0)
            print(f"generated small (seed 0) in {time.perf_counter() - started:.1f} s")
        if not (args.warehouse / "warehouse" / "transactions").exists():
            import dagster as dg

            from hm_assets.definitions import RAW_JOB, build_definitions

            job = build_definitions(settings_for(args.data, args.warehouse)).resolve_job_def(RAW_JOB)
            assert job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), run_config=QUIET).success

    rows = []
    for asset in args.only or asset_order():
        wall, rss, meta = child(args, asset, Path(tmp.name) / f"{asset}.json")
        rows.append((asset, wall, rss, meta))
        print(f"{asset}: wall {wall:.1f} s, peak RSS {rss:.2f} GiB", flush=True)

    print(f"\nweek {args.week}, data {args.data}")
    print("| asset | wall s | peak RSS GiB | rows | customers | cand./customer | recall | precision |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for asset, wall, rss, meta in rows:
        cells = [meta.get(k, "") for k in ("dagster/row_count", "scope_customers", "candidates_per_customer", "recall", "precision")]
        print(f"| {asset} | {wall:.1f} | {rss:.2f} | " + " | ".join(str(v) for v in cells) + " |")
    total = sum(r[1] for r in rows)
    print(f"\ntotal wall {total:.1f} s; max peak RSS {max(r[2] for r in rows):.2f} GiB")
    merged = rows[-1][3]
    for key in ("recall_curve", "recall_by_strategy", "caps", "total_cap"):
        if key in merged:
            print(f"\nmerged {key}:\n{merged[key]}")
    for asset, _, _, meta in rows:
        if "recall_curve" in meta and asset != "candidates":
            print(f"\n{asset} recall curve:\n{meta['recall_curve']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

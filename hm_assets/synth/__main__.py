"""CLI: ``python -m hm_assets.synth --scale small --seed 0 --out data/raw``."""

import argparse
import sys
import time

from hm_assets.synth.generator import SCALES, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hm_assets.synth",
        description="Write a synthetic H&M dataset (articles.csv, customers.csv, transactions_train.csv) "
        "in the exact Kaggle format.",
    )
    parser.add_argument("--scale", choices=sorted(SCALES, key=lambda s: SCALES[s].customers), default="small")
    parser.add_argument("--seed", type=int, default=0, help="the same seed gives byte-identical files")
    parser.add_argument("--out", default="data/raw", help="output folder (created if missing)")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = generate(args.out, scale=args.scale, seed=args.seed, progress=not args.quiet)
    print(
        f"{args.scale} (seed {args.seed}): {result['n_articles']:,} articles, {result['n_customers']:,} customers, "
        f"{result['n_transactions']:,} transactions in {args.out} ({time.perf_counter() - started:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

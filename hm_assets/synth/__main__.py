"""CLI: ``python -m hm_assets.synth --scale small --seed 0 --out data/raw [--profile grocery]``.

Awkward data for tests: ``--weeks 10 --missing-age-share 0.9 --postal-codes 1 --channels 2``
(or ``--profile sparse``). Options left out keep the profile's values.
"""

import argparse
import sys
import time

from hm_assets.synth.generator import SCALES, generate
from hm_assets.synth.profiles import PROFILES, SALES_CHANNELS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hm_assets.synth",
        description="Write a synthetic H&M dataset (articles.csv, customers.csv, transactions_train.csv) "
        "in the exact Kaggle format.",
    )
    parser.add_argument("--scale", choices=sorted(SCALES, key=lambda s: SCALES[s].customers), default="small")
    parser.add_argument("--seed", type=int, default=0, help="the same seed gives byte-identical files")
    parser.add_argument("--out", default="data/raw", help="output folder (created if missing)")
    parser.add_argument("--profile", choices=list(PROFILES), default="fashion",
                        help="which signals dominate (see hm_assets.synth.profiles)")
    parser.add_argument("--weeks", type=int, help="whole weeks of history ending 2020-09-22 (default: the profile's)")
    parser.add_argument("--missing-age-share", type=float, help="share of customers without an age")
    parser.add_argument("--postal-codes", type=int, help="distinct postal codes at most (1: everyone shares one)")
    parser.add_argument("--channels", type=int, nargs="+", choices=SALES_CHANNELS, help="sales channels that occur")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    options = {name: value for name, value in (("weeks", args.weeks), ("missing_age_share", args.missing_age_share),
                                               ("n_postal_codes", args.postal_codes),
                                               ("channels", tuple(args.channels) if args.channels else None))
               if value is not None}
    started = time.perf_counter()
    result = generate(args.out, scale=args.scale, seed=args.seed, progress=not args.quiet, profile=args.profile, **options)
    print(
        f"{args.scale} (seed {args.seed}, profile {result['profile']}): {result['n_articles']:,} articles, "
        f"{result['n_customers']:,} customers, {result['n_transactions']:,} transactions "
        f"({result['first_day']}..{result['last_day']}) in {args.out} ({time.perf_counter() - started:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

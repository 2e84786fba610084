"""Calibration report: how a dataset's statistics compare with the published H&M facts.

``python -m hm_assets.synth.calibrate DATA_DIR [--week 2020-09-16] [--strict]``

``DATA_DIR`` holds the three Kaggle CSV files (generated or real). They are loaded with the
project's ingestion readers (``hm_assets.ingest.readers``) into the compact warehouse form and
measured with ``hm_assets.recsys.stats.calibration_report``. ``--week`` defaults to the last
full week of the data (2020-09-16 for H&M). ``--strict`` exits with status 1 when a statistic
falls outside its band.
"""

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from hm_assets import calendar, schemas
from hm_assets.ingest import readers
from hm_assets.recsys import stats


def load(data_dir: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``transactions, customers, articles`` in the compact warehouse form, as pandas frames."""
    folder = Path(data_dir)
    customers = readers.read_customers(folder / schemas.CUSTOMERS_FILE)
    articles = readers.read_articles(folder / schemas.ARTICLES_FILE)
    transactions = readers.read_transactions(folder / schemas.TRANSACTIONS_FILE, customers)
    return (
        transactions.to_pandas(date_as_object=False),
        customers.to_pandas(),
        articles.to_pandas(),
    )


def default_week(transactions: pd.DataFrame) -> str:
    """The last week that lies entirely inside the data."""
    last = pd.Timestamp(transactions["t_dat"].max()).date()
    return calendar.week_key(calendar.shift_week(calendar.target_week(last), -1))


def format_report(report: pd.DataFrame) -> str:
    def num(v: float) -> str:
        return f"{v:.4g}" if abs(v) >= 1e-3 or v == 0 else f"{v:.2e}"

    lines = [f"{'statistic':38s} {'value':>10s} {'target':>10s} {'band':>21s}  ok"]
    for r in report.itertuples():
        band = f"[{num(r.low)}, {num(r.high)}]"
        lines.append(f"{r.statistic:38s} {num(r.value):>10s} {num(r.target):>10s} {band:>21s}  {'yes' if r.within else 'NO'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hm_assets.synth.calibrate", description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", help="folder with articles.csv, customers.csv, transactions_train.csv")
    parser.add_argument("--week", help="Wednesday starting the measured week (default: the last full week)")
    parser.add_argument("--strict", action="store_true", help="exit 1 if any statistic is outside its band")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    transactions, customers, articles = load(args.data_dir)
    week = args.week or default_week(transactions)
    report = stats.calibration_report(transactions, customers, articles, week)
    print(f"{args.data_dir}: {len(transactions):,} transactions, {len(customers):,} customers, "
          f"{len(articles):,} articles; week {week} ({time.perf_counter() - started:.1f} s)")
    print(format_report(report))
    outside = int((~report["within"]).sum())
    print(f"{len(report) - outside} of {len(report)} statistics within their band")
    return 1 if args.strict and outside else 0


if __name__ == "__main__":
    sys.exit(main())

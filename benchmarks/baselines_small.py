"""MAP@12 of three simple strategies on the last week of a synthetic ``small`` dataset.

Backtest: predict 2020-09-16..22 (the last week) from transactions strictly before it; score
with ``hm_assets.recsys.metrics.map_at_k`` (customers who bought that week, distinct articles).

1. popularity: the previous week's 12 articles with the most rows, for everyone;
2. recent: the customer's own distinct past articles, most recently bought first (ties: bought
   more often, then lower id), filled with (1);
3. segments and pairs: the customer's own purchases of the last 13 weeks (as in 2), then what
   their postal code bought in the last 4 weeks (most often first), then the articles most often
   bought in the same basket (same customer and day, last 8 weeks) as their last 4 weeks'
   purchases, then the previous week's best sellers in their age band, then (1).

Single weeks of ``small`` are noisy (~1,300 buyers), so the mean over the last four weeks is
printed as well.

``--profile grocery`` measures the same strategies on the generator profile that flips the
fashion signals (frequent exact repurchase, a few best sellers, no age or postal-code effect,
18 weeks of history; see ``hm_assets.synth.profiles``).

Usage: ``python benchmarks/baselines_small.py [--data DIR] [--scale small] [--seed 0] [--profile fashion]``
(generates the dataset into a temporary folder unless ``--data`` is given).
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import numpy as np
import pandas as pd

from hm_assets import columns as c
from hm_assets import schemas
from hm_assets.ingest import readers
from hm_assets.recsys.metrics import map_at_k
from hm_assets.synth import PROFILES, generate

LAST_WEEK = pd.Timestamp("2020-09-16")
K = c.K


def load(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    customers = readers.read_customers(folder / schemas.CUSTOMERS_FILE)
    tx = readers.read_transactions(folder / schemas.TRANSACTIONS_FILE, customers)
    return tx.to_pandas(date_as_object=False), customers.to_pandas()


def ranked(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep each customer's first occurrence of an article and number the list from 0."""
    frame = frame.drop_duplicates([c.CUSTOMER_ID, c.ARTICLE_ID], keep="first")
    return frame.assign(**{c.RANK: frame.groupby(c.CUSTOMER_ID).cumcount()})[[c.CUSTOMER_ID, c.ARTICLE_ID, c.RANK]]


def for_everyone(customers: np.ndarray, articles: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({c.CUSTOMER_ID: np.repeat(customers, len(articles)), c.ARTICLE_ID: np.tile(articles, len(customers))})


def top_by_rows(history: pd.DataFrame, week: pd.Timestamp, n: int) -> np.ndarray:
    last = history[history[c.T_DAT] >= week - pd.Timedelta(days=7)]
    counts = last[c.ARTICLE_ID].value_counts()
    counts = counts.reset_index().sort_values(["count", c.ARTICLE_ID], ascending=[False, True])
    return counts[c.ARTICLE_ID].to_numpy()[:n]


def recent(history: pd.DataFrame, who: np.ndarray, since: pd.Timestamp | None = None) -> pd.DataFrame:
    h = history[history[c.CUSTOMER_ID].isin(who)]
    if since is not None:
        h = h[h[c.T_DAT] >= since]
    pairs = h.groupby([c.CUSTOMER_ID, c.ARTICLE_ID]).agg(last=(c.T_DAT, "max"), n=(c.T_DAT, "size")).reset_index()
    pairs = pairs.sort_values([c.CUSTOMER_ID, "last", "n", c.ARTICLE_ID], ascending=[True, False, False, True])
    return pairs[[c.CUSTOMER_ID, c.ARTICLE_ID]]


def bought_together(history: pd.DataFrame, week: pd.Timestamp, seeds: pd.DataFrame, weeks: int = 8, per_item: int = 6) -> pd.DataFrame:
    """For each customer's seed articles (in order), the articles most often in the same basket."""
    h = history[history[c.T_DAT] >= week - pd.Timedelta(weeks=weeks)]
    baskets = h[[c.T_DAT, c.CUSTOMER_ID, c.ARTICLE_ID]].drop_duplicates()
    pairs = baskets.merge(baskets, on=[c.T_DAT, c.CUSTOMER_ID], suffixes=("", "_other"))
    pairs = pairs[pairs[c.ARTICLE_ID] != pairs[f"{c.ARTICLE_ID}_other"]]
    counts = pairs.groupby([c.ARTICLE_ID, f"{c.ARTICLE_ID}_other"]).size().rename("n").reset_index()
    counts = counts.sort_values([c.ARTICLE_ID, "n", f"{c.ARTICLE_ID}_other"], ascending=[True, False, True])
    counts = counts[counts.groupby(c.ARTICLE_ID).cumcount() < per_item]
    seeds = seeds.assign(order=np.arange(len(seeds)))
    out = seeds.merge(counts, on=c.ARTICLE_ID).sort_values(["order", "n"], ascending=[True, False], kind="stable")
    return out[[c.CUSTOMER_ID, f"{c.ARTICLE_ID}_other"]].rename(columns={f"{c.ARTICLE_ID}_other": c.ARTICLE_ID})


def age_band_popular(history: pd.DataFrame, week: pd.Timestamp, customers: pd.DataFrame, who: np.ndarray, n: int = K) -> pd.DataFrame:
    band = pd.cut(customers[c.AGE], bins=[0, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 200], right=False).cat.codes
    band = pd.Series(band.to_numpy(), index=customers[c.CUSTOMER_ID].to_numpy())
    last = history[history[c.T_DAT] >= week - pd.Timedelta(days=7)]
    counts = last.assign(band=band.reindex(last[c.CUSTOMER_ID]).to_numpy()).groupby(["band", c.ARTICLE_ID]).size().rename("n").reset_index()
    counts = counts.sort_values(["band", "n", c.ARTICLE_ID], ascending=[True, False, True])
    counts = counts[counts.groupby("band").cumcount() < n]
    mine = pd.DataFrame({c.CUSTOMER_ID: who, "band": band.reindex(who).to_numpy()})
    return mine.merge(counts, on="band", how="inner")[[c.CUSTOMER_ID, c.ARTICLE_ID]]


def postal_popular(history: pd.DataFrame, week: pd.Timestamp, customers: pd.DataFrame, who: np.ndarray, weeks: int = 4, n: int = K) -> pd.DataFrame:
    """What each customer's postal code bought in the last ``weeks`` weeks, most often (then latest) first."""
    code = pd.Series(customers[c.POSTAL_CODE].cat.codes.to_numpy(), index=customers[c.CUSTOMER_ID].to_numpy())
    h = history[history[c.T_DAT] >= week - pd.Timedelta(weeks=weeks)]
    h = h.assign(code=code.reindex(h[c.CUSTOMER_ID]).to_numpy())
    counts = h.groupby(["code", c.ARTICLE_ID]).agg(n=(c.T_DAT, "size"), last=(c.T_DAT, "max")).reset_index()
    counts = counts.sort_values(["code", "n", "last", c.ARTICLE_ID], ascending=[True, False, False, True])
    counts = counts[counts.groupby("code").cumcount() < n]
    mine = pd.DataFrame({c.CUSTOMER_ID: who, "code": code.reindex(who).to_numpy()})
    return mine.merge(counts, on="code")[[c.CUSTOMER_ID, c.ARTICLE_ID]]


def evaluate(tx: pd.DataFrame, customers: pd.DataFrame, week: pd.Timestamp) -> dict:
    history = tx[tx[c.T_DAT] < week]
    actual = tx[(tx[c.T_DAT] >= week) & (tx[c.T_DAT] < week + pd.Timedelta(days=7))]
    buyers = np.sort(actual[c.CUSTOMER_ID].unique())
    pop = for_everyone(buyers, top_by_rows(history, week, K))
    own = recent(history, buyers)
    own_13 = recent(history, buyers, since=week - pd.Timedelta(weeks=13))
    own_4 = recent(history, buyers, since=week - pd.Timedelta(weeks=4))
    together = bought_together(history, week, own_4)
    postal = postal_popular(history, week, customers, buyers)
    age = age_band_popular(history, week, customers, buyers)
    strategies = {
        "1 popularity": [pop],
        "2 own recent purchases + popularity": [own, pop],
        "3 own 13 weeks + postal code + bought together + age band + popularity": [own_13, postal, together, age, pop],
        "  (3 without postal code)": [own_13, together, age, pop],
        "  (3 without bought together)": [own_13, postal, age, pop],
        "  (3 without age band)": [own_13, postal, together, pop],
    }
    return {name: map_at_k(ranked(pd.concat(parts)), actual) for name, parts in strategies.items()}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="folder with the three CSV files (default: generate)")
    parser.add_argument("--scale", default="small")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", choices=list(PROFILES), default="fashion", help="generator profile (without --data)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.data
        if folder is None:
            started = time.perf_counter()
            folder = Path(tmp)
            generate(folder, scale=args.scale, seed=args.seed, profile=args.profile)
            print(f"generated {args.scale} (seed {args.seed}, profile {args.profile}) in {time.perf_counter() - started:.1f} s")
        tx, customers = load(folder)
    last_week = LAST_WEEK
    weeks = [last_week - pd.Timedelta(weeks=k) for k in range(4)]
    per_week = [evaluate(tx, customers, w) for w in weeks]
    scores = per_week[0]
    actual = tx[tx[c.T_DAT] >= last_week]
    print(f"week {last_week.date()}: {actual[c.CUSTOMER_ID].nunique():,} buyers, {len(actual):,} rows")
    print(f"  {'MAP@12':>8s} {'4-wk mean':>9s}  strategy")
    for name in scores:
        print(f"  {scores[name]:8.5f} {np.mean([s[name] for s in per_week]):9.5f}  {name}")
    return scores


if __name__ == "__main__":
    main()

"""Why these 12? ``python -m hm_assets.explain CUSTOMER_HEX [--week W]``.

Prints one customer's recommendations for week W (default: the target week): for each pick,
the candidate strategies that proposed it, each model's score and the blend's, or "popularity
fill" when the blend ran short; then the customer's last purchases before W. Everything is read
from the stored assets through the warehouse's IO manager (``HM_WAREHOUSE``), after a run of
the weekly pipeline for W.
"""

import argparse
import sys

import numpy as np
import pandas as pd

from hm_assets import calendar
from hm_assets import columns as c
from hm_assets.defs.models.assets import COLD_CUSTOMERS
from hm_assets.io.managers import ParquetIOManager
from hm_assets.recsys import history
from hm_assets.recsys.sharing import REPRESENTATIVE
from hm_assets.settings import Settings

STRATEGIES = "strategies"
LAST_PURCHASES = 10
ARTICLE_LABELS = ["prod_name", "product_type_name", "colour_group_name"]


def explain_picks(recommendations: pd.DataFrame, blend: pd.DataFrame, candidates: pd.DataFrame) -> pd.DataFrame:
    """One row per pick of one customer, in rank order.

    recommendations: ``article_id, rank``; blend: ``article_id, score_<m>..., blend_score`` (the
    customer's rows of the ``blend`` asset); candidates: ``article_id, by_<s>...`` (the customer's
    merged candidates). Returns ``rank, article_id, strategies`` (comma-separated, or
    ``popularity fill``), then ``score_<m>...`` and ``blend_score`` (NaN for a fill).
    """
    picks = recommendations.sort_values(c.RANK)[[c.RANK, c.ARTICLE_ID]].reset_index(drop=True)
    flags = [col for col in candidates.columns if col.startswith("by_")]
    proposed = candidates.set_index(c.ARTICLE_ID)[flags].reindex(picks[c.ARTICLE_ID]).fillna(0).to_numpy(bool)
    names = np.array([f.removeprefix("by_") for f in flags])
    picks[STRATEGIES] = [", ".join(names[row]) if row.any() else "popularity fill" for row in proposed]
    scores = [col for col in blend.columns if col.startswith("score_")] + [c.BLEND_SCORE]
    return pd.concat([picks, blend.set_index(c.ARTICLE_ID)[scores].reindex(picks[c.ARTICLE_ID]).reset_index(drop=True)], axis=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("customer", help="the 64-hex customer_id of customers.csv")
    parser.add_argument("--week", help="week key (a Wednesday, YYYY-MM-DD); default: the target week")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    week = calendar.week_key(calendar.week_start(args.week) if args.week else settings.target_week)
    store = ParquetIOManager(base_path=settings.warehouse)

    def one(asset: str, partition: str | None, column: str, value) -> pd.DataFrame:
        try:
            return store.stored(asset, partition).to_pandas(filter=[(column, "==", value)])
        except FileNotFoundError as error:
            raise SystemExit(f"{asset} for week {week} is not materialized ({error}); run the weekly pipeline for {week} first")

    customer = one("customers", None, c.CUSTOMER_HEX, args.customer.lower())
    if customer.empty:
        raise SystemExit(f"customer {args.customer} is not in customers.csv")
    cid = int(customer[c.CUSTOMER_ID].iloc[0])
    recs = one("recommendations", week, c.CUSTOMER_ID, cid)
    scored = cid  # a cold customer of the predicted week is scored through a representative with the same candidates
    try:
        member = store.stored(COLD_CUSTOMERS, week).to_pandas(filter=[(c.CUSTOMER_ID, "==", cid)])
    except FileNotFoundError:
        member = pd.DataFrame()
    if len(member):
        scored = int(member[REPRESENTATIVE].iloc[0])
    table = explain_picks(recs, one("blend", week, c.CUSTOMER_ID, scored), one("candidates", week, c.CUSTOMER_ID, scored))
    articles = store.stored("articles").to_pandas()
    labels = [col for col in ARTICLE_LABELS if col in articles.columns]
    names = articles.set_index(c.ARTICLE_ID)[labels]
    table = table.join(names, on=c.ARTICLE_ID)
    past = history.weeks_before(store.stored("transactions"), week)
    bought = (
        past.to_pandas([c.T_DAT, c.ARTICLE_ID, c.PRICE], filter=[(c.CUSTOMER_ID, "==", cid)])
        if past.names
        else pd.DataFrame(columns=[c.T_DAT, c.ARTICLE_ID, c.PRICE])
    )
    bought = bought.sort_values(c.T_DAT, ascending=False, kind="stable").head(LAST_PURCHASES).join(names, on=c.ARTICLE_ID)
    bought[c.T_DAT] = pd.to_datetime(bought[c.T_DAT]).dt.date
    age = customer[c.AGE].iloc[0]
    print(f"customer {args.customer} (id {cid}, age {age if pd.notna(age) else 'unknown'}), week {week}\n")
    if scored != cid:
        print(f"no personal candidates: the same candidate rows as customer id {scored}, whose scored list it shares\n")
    print(table.to_markdown(index=False, floatfmt=".4g"))
    print(f"\nlast {LAST_PURCHASES} purchases before {week}:" if len(bought) else f"\nno purchases before {week}")
    if len(bought):
        print(bought.to_markdown(index=False, floatfmt=".4g"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

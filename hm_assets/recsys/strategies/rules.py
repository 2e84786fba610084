"""Rule-based strategies: the customer's own history, co-purchases and popularity.

Each function has the strategy signature ``(inputs, params) -> candidate frame`` and reads only
``inputs.past(params.weeks)``: the ``params.weeks`` weeks strictly before W.
"""

import numpy as np
import pandas as pd

from hm_assets import columns as c
from hm_assets.recsys import baselines, segments
from hm_assets.recsys.strategies.base import (
    StrategyInputs,
    StrategyParams,
    candidates_frame,
    for_everyone,
    in_scope,
    ranked,
)

HALF_LIFE_DAYS = 14.0  # a purchase's weight halves every two weeks
SEED_WEEKS = 4  # bought together: the customer's articles of the last 4 weeks are the seeds
PARTNERS_PER_ARTICLE = 10  # bought together: partners kept per seed article
POPULAR_WEEKS = 1  # popularity counts the last week's buyers (widening if the week is empty)


def _decayed(history: pd.DataFrame, week: pd.Timestamp) -> pd.Series:
    """Weight of each row: 0.5 ** (days before W / half-life), days counted from the day's end."""
    days = (pd.Timestamp(week) - history[c.T_DAT]).dt.days.to_numpy(np.float32)
    return pd.Series(np.exp2(-(days - 1) / HALF_LIFE_DAYS).astype(np.float32), index=history.index)


def repurchase(inputs: StrategyInputs, params: StrategyParams) -> pd.DataFrame:
    """The customer's own past articles, scored by time-decayed purchase count (half-life 14 days).

    One row per purchase row (several units on a day count several times); ``score`` is the sum
    of ``0.5 ** ((days before W - 1) / 14)`` (1.0 for the day just before W).
    """
    past = in_scope(inputs.past(params.weeks), inputs.scope)
    scored = past[[c.CUSTOMER_ID, c.ARTICLE_ID]].assign(**{c.SCORE: _decayed(past, inputs.week)})
    scored = scored.groupby([c.CUSTOMER_ID, c.ARTICLE_ID], as_index=False, observed=True)[c.SCORE].sum()
    return ranked(scored, "repurchase", params.n)


def colour_variants(inputs: StrategyInputs, params: StrategyParams) -> pd.DataFrame:
    """Other articles of the products the customer bought (same ``product_code``), never the
    articles they bought themselves; ``score`` is the product's time-decayed purchase count."""
    articles = inputs.need("articles")[[c.ARTICLE_ID, c.PRODUCT_CODE]]
    past = in_scope(inputs.past(params.weeks), inputs.scope)
    product = pd.Series(articles[c.PRODUCT_CODE].to_numpy(), index=articles[c.ARTICLE_ID].to_numpy())
    bought = pd.DataFrame(
        {
            c.CUSTOMER_ID: past[c.CUSTOMER_ID].to_numpy(),
            c.ARTICLE_ID: past[c.ARTICLE_ID].to_numpy(),
            c.PRODUCT_CODE: product.reindex(past[c.ARTICLE_ID].to_numpy()).to_numpy(),
            c.SCORE: _decayed(past, inputs.week).to_numpy(),
        }
    ).dropna(subset=[c.PRODUCT_CODE])
    per_product = bought.groupby([c.CUSTOMER_ID, c.PRODUCT_CODE], as_index=False)[c.SCORE].sum()
    variants = per_product.merge(articles, on=c.PRODUCT_CODE)
    own = bought[[c.CUSTOMER_ID, c.ARTICLE_ID]].drop_duplicates().assign(_own=True)
    variants = variants.merge(own, on=[c.CUSTOMER_ID, c.ARTICLE_ID], how="left")
    variants = variants[variants["_own"].isna()]
    return ranked(variants[[c.CUSTOMER_ID, c.ARTICLE_ID, c.SCORE]], "colour_variants", params.n)


def co_purchase_counts(history: pd.DataFrame) -> pd.DataFrame:
    """Baskets (same customer, same day, distinct articles): for every ordered pair of different
    articles in one basket, the number of baskets holding both. Columns ``article_id, partner, n``."""
    baskets = history[[c.T_DAT, c.CUSTOMER_ID, c.ARTICLE_ID]].drop_duplicates()
    pairs = baskets.merge(baskets, on=[c.T_DAT, c.CUSTOMER_ID], suffixes=("", "_p"))
    pairs = pairs[pairs[c.ARTICLE_ID] != pairs[f"{c.ARTICLE_ID}_p"]]
    counts = pairs.groupby([c.ARTICLE_ID, f"{c.ARTICLE_ID}_p"]).size().rename("n").reset_index()
    return counts.rename(columns={f"{c.ARTICLE_ID}_p": "partner"})


def bought_together(inputs: StrategyInputs, params: StrategyParams) -> pd.DataFrame:
    """Articles bought in the same basket as the customer's articles of the last 4 weeks.

    Co-purchase counts come from every customer's baskets in the ``weeks`` before W; each seed
    article keeps its 10 most frequent partners (count desc, id asc); ``score`` sums the counts
    over the customer's seeds. Articles the customer bought in the seed window are not proposed.
    """
    past = inputs.past(params.weeks)
    counts = co_purchase_counts(past)
    counts = counts.sort_values([c.ARTICLE_ID, "n", "partner"], ascending=[True, False, True], kind="stable")
    counts = counts[counts.groupby(c.ARTICLE_ID).cumcount() < PARTNERS_PER_ARTICLE]
    recent = in_scope(inputs.past(min(SEED_WEEKS, params.weeks)), inputs.scope)
    seeds = recent[[c.CUSTOMER_ID, c.ARTICLE_ID]].drop_duplicates()
    found = seeds.merge(counts, on=c.ARTICLE_ID)
    found = found.groupby([c.CUSTOMER_ID, "partner"], as_index=False)["n"].sum()
    found = found.rename(columns={"partner": c.ARTICLE_ID, "n": c.SCORE})
    found = found.merge(seeds.assign(_own=True), on=[c.CUSTOMER_ID, c.ARTICLE_ID], how="left")
    found = found[found["_own"].isna()]
    return ranked(found[[c.CUSTOMER_ID, c.ARTICLE_ID, c.SCORE]], "bought_together", params.n)


def popular(inputs: StrategyInputs, params: StrategyParams) -> pd.DataFrame:
    """Global bestsellers by distinct buyers in the last week before W, the same list for everyone.

    If that week is thin or empty the window doubles (within ``weeks``), then the catalogue fills
    the list in id order (score 0), so every customer in scope gets ``n`` candidates.
    """
    catalogue = inputs.need("articles")[c.ARTICLE_ID].to_numpy()
    top = baselines.popular_articles(inputs.past(params.weeks), pd.Timestamp(inputs.week), params.n, POPULAR_WEEKS, catalogue)
    return for_everyone(inputs.scope, top[c.ARTICLE_ID].to_numpy(), top[c.SCORE].to_numpy(), "popular")


def trending(inputs: StrategyInputs, params: StrategyParams) -> pd.DataFrame:
    """Articles rising week over week, the same list for everyone.

    ``score`` = distinct buyers in the last week before W minus those in the week before it;
    only rising articles (score > 0), most risen first, then lower id.
    """
    week = pd.Timestamp(inputs.week)
    past = inputs.past(2)
    last = past[c.T_DAT] >= week - pd.Timedelta(weeks=1)
    buyers = past[[c.CUSTOMER_ID, c.ARTICLE_ID]].assign(_last=last.to_numpy()).drop_duplicates()
    counts = buyers.groupby([c.ARTICLE_ID, "_last"]).size().unstack(fill_value=0)
    rise = counts.get(True, pd.Series(0, index=counts.index)) - counts.get(False, pd.Series(0, index=counts.index))
    rise = rise[rise > 0].rename(c.SCORE).reset_index()
    rise = rise.sort_values([c.SCORE, c.ARTICLE_ID], ascending=[False, True], kind="stable").head(params.n)
    return for_everyone(inputs.scope, rise[c.ARTICLE_ID].to_numpy(), rise[c.SCORE].to_numpy(), "trending")


def _segment_popular(inputs: StrategyInputs, params: StrategyParams, kind: str, column: str, name: str) -> pd.DataFrame:
    """The top ``n`` of the customer's segment in ``segment_popularity`` (its own ranks kept in
    order). A segment the table does not list (e.g. unknown, if the table leaves it out) gives none."""
    popularity = inputs.need("segment_popularity")
    popularity = popularity[(popularity[segments.SEGMENT_KIND] == kind).to_numpy() & (popularity[c.RANK] < params.n).to_numpy()]
    customers = inputs.need("customers")
    mine = segments.customer_segments(in_scope(customers, inputs.scope))[[c.CUSTOMER_ID, column]]
    found = mine.merge(
        popularity[[segments.SEGMENT, c.ARTICLE_ID, c.SCORE, c.RANK]], left_on=column, right_on=segments.SEGMENT
    ).sort_values([c.CUSTOMER_ID, c.RANK, c.ARTICLE_ID], kind="stable")
    rank = found.groupby(c.CUSTOMER_ID, sort=False).cumcount().to_numpy()
    return candidates_frame(found[c.CUSTOMER_ID], found[c.ARTICLE_ID], name, found[c.SCORE], rank)


def popular_age_band(inputs: StrategyInputs, params: StrategyParams) -> pd.DataFrame:
    """The bestsellers of the customer's age band (``segment_popularity``, kind ``age_band``);
    customers of unknown age get the unknown-age segment's list if the table has one."""
    return _segment_popular(inputs, params, segments.AGE_BAND, segments.AGE_BAND, "popular_age_band")


def popular_postal_code(inputs: StrategyInputs, params: StrategyParams) -> pd.DataFrame:
    """The bestsellers of the customer's postal code (``segment_popularity``, kind ``postal_code``);
    the same for an unknown postal code."""
    return _segment_popular(inputs, params, c.POSTAL_CODE, segments.POSTAL, "popular_postal_code")

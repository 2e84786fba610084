"""Statistics for the exploration assets that ``stats`` does not hold.

``hm_assets.recsys.stats`` is the one implementation of the descriptive statistics (it also
serves the generator's calibration report), and ``hm_assets.recsys.history`` the one reader of
the week parts; this module adds what only the exploration needs:
week-by-week tables built from the ``stats`` functions,
weekday seasonality and promotion spikes, repurchase at coarser levels (same product, same
product type), customer activity and a few histograms. Pure numpy/pandas/pyarrow, no Dagster.

Conventions are those of ``stats``: ``week`` is the Wednesday starting a Wednesday..Tuesday
week, windows are half-open day ranges, shares over an empty set are NaN (shown as ``n/a``).
"""

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from hm_assets import calendar
from hm_assets import columns as c
from hm_assets.recsys import history, keys, stats
from hm_assets.recsys.stats import isin_sorted, unique

WEEK = calendar.WEEK_DAYS
COLOUR_GROUP_NAME = "colour_group_name"  # a Kaggle articles column (schemas.ARTICLES)

# --- sales over time ------------------------------------------------------------------------------
SALES_COLUMNS = [c.T_DAT, c.CUSTOMER_ID, c.SALES_CHANNEL_ID]
WEEKDAYS = ("Wed", "Thu", "Fri", "Sat", "Sun", "Mon", "Tue")  # in H&M week order
_WEEKDAY_ORDER = (2, 3, 4, 5, 6, 0, 1)  # datetime.weekday() of the names above


def sales_by_day_and_week(weeks: Iterable[tuple[str, stats.Tx]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Daily and weekly sales from ``(week key, rows)`` pairs (each week's rows only).

    Daily: ``stats.daily_sales`` per week (``t_dat, rows, buyers, channel_2_share``), over every
    day from the first to the last day with sales; days without sales get 0 rows and buyers.
    Weekly: ``week, rows, buyers, rows_per_buyer, channel_2_share``, from the first to the last
    week with sales (empty weeks in between kept, with 0 rows).
    """
    daily_parts, weekly = [], []
    for week, tx in weeks:
        buyers = len(unique(tx.customer))
        weekly.append(
            {
                "week": calendar.week_key(week),
                "rows": len(tx),
                "buyers": buyers,
                "rows_per_buyer": len(tx) / buyers if buyers else np.nan,
                "channel_2_share": stats.channel_share(tx, 2),
            }
        )
        if len(tx):
            daily_parts.append(stats.daily_sales(tx))
    weekly_frame = pd.DataFrame(weekly, columns=["week", "rows", "buyers", "rows_per_buyer", "channel_2_share"])
    sold = np.flatnonzero(weekly_frame["rows"].to_numpy() > 0)
    weekly_frame = weekly_frame.iloc[sold[0] : sold[-1] + 1] if len(sold) else weekly_frame.iloc[:0]
    weekly_frame = weekly_frame.reset_index(drop=True)
    if not daily_parts:
        daily = pd.DataFrame({c.T_DAT: pd.Series(dtype="datetime64[s]"), "rows": pd.Series(dtype=np.int64),
                              "buyers": pd.Series(dtype=np.int64), "channel_2_share": pd.Series(dtype=np.float64)})
        return daily, weekly_frame
    daily = pd.concat(daily_parts, ignore_index=True).sort_values(c.T_DAT).set_index(c.T_DAT)
    days = pd.date_range(daily.index.min(), daily.index.max(), freq="D", unit="s", name=c.T_DAT)
    daily = daily.reindex(days)
    daily[["rows", "buyers"]] = daily[["rows", "buyers"]].fillna(0).astype(np.int64)
    return daily.reset_index(), weekly_frame


def weekday_profile(daily: pd.DataFrame) -> pd.DataFrame:
    """Weekly seasonality: per weekday (Wed..Tue) the days seen, mean rows and buyers, and
    ``rows_index`` = the weekday's mean rows over the mean rows of all days (1 = average)."""
    weekday = daily[c.T_DAT].dt.day_of_week
    out = daily.groupby(weekday).agg(days=("rows", "size"), mean_rows=("rows", "mean"), mean_buyers=("buyers", "mean"))
    out = out.reindex(list(_WEEKDAY_ORDER))
    out["days"] = out["days"].fillna(0).astype(np.int64)
    overall = daily["rows"].mean() if len(daily) else np.nan
    out["rows_index"] = out["mean_rows"] / overall if overall else np.nan
    out.insert(0, "weekday", list(WEEKDAYS))
    return out.reset_index(drop=True)


def spike_days(daily: pd.DataFrame, weeks_around: int = 3, top: int = 10) -> pd.DataFrame:
    """Promotion spikes: the ``top`` days whose rows most exceed their ``baseline``, the median
    rows of the same weekday over the ``weeks_around`` weeks either side (the day included), so
    that weekly seasonality is not mistaken for a spike. ``ratio = rows / baseline`` (NaN when
    the baseline is 0); highest first, ties by date.
    """
    rows = daily["rows"].astype(np.float64)
    weekday = daily[c.T_DAT].dt.day_of_week
    baseline = rows.groupby(weekday).transform(
        lambda s: s.rolling(2 * weeks_around + 1, center=True, min_periods=1).median()
    )
    out = pd.DataFrame(
        {c.T_DAT: daily[c.T_DAT], "weekday": weekday.map(dict(zip(_WEEKDAY_ORDER, WEEKDAYS))),
         "rows": daily["rows"], "baseline": baseline, "ratio": rows / baseline.where(baseline > 0)}
    )
    out = out.dropna(subset=["ratio"]).sort_values(["ratio", c.T_DAT], ascending=[False, True], kind="stable")
    return out.head(top).reset_index(drop=True)


# --- popularity dynamics --------------------------------------------------------------------------
POPULARITY_COLUMNS = [c.T_DAT, c.CUSTOMER_ID, c.ARTICLE_ID]


def coverage_by_week(
    transactions, weeks: Sequence[str], ns: Sequence[int] = (12, 36, 100, 1000), buyer_ns: Sequence[int] = (12, 36)
) -> pd.DataFrame:
    """How much of each week's purchases the previous week's top articles cover.

    For each week in ``weeks`` (looking at its rows and the previous week's): ``rows``;
    ``rows_top_<n>`` for each of ``ns`` (``stats.previous_week_top_coverage``: share of the
    week's rows whose article is among the previous week's ``n`` articles with most rows); and
    ``pairs_top_<n>_by_buyers`` for each of ``buyer_ns``
    (``stats.previous_week_top_buyers_pair_coverage``: share of the week's distinct
    customer-article pairs among the previous week's ``n`` articles with most buyers).
    NaN when the week or the week before has no rows.
    """
    tx = stats.Tx.of(transactions)
    out = []
    for week in weeks:
        start, end = calendar.week_bounds(week)
        two_weeks = tx.window(start - WEEK, end)  # all that the statistics below look at
        rows = int((two_weeks.day >= start).sum())
        defined = rows > 0 and rows < len(two_weeks)
        row: dict = {"week": calendar.week_key(week), "rows": rows}
        by_rows = stats.previous_week_top_coverage(two_weeks, week, tuple(ns)) if defined else {}
        for n in ns:
            row[f"rows_top_{n}"] = by_rows.get(n, np.nan)
        for n in buyer_ns:
            row[f"pairs_top_{n}_by_buyers"] = (
                stats.previous_week_top_buyers_pair_coverage(two_weeks, week, n) if defined else np.nan
            )
        out.append(row)
    columns = ["week", "rows", *(f"rows_top_{n}" for n in ns), *(f"pairs_top_{n}_by_buyers" for n in buyer_ns)]
    return pd.DataFrame(out, columns=columns)


def life_cycle_horizon(first_day: int, last_day: int, wanted: int = 26) -> int:
    """Weeks of life cycle to follow in data spanning days ``[first_day, last_day]``.

    ``stats.article_life_cycle`` follows articles launched at least 4 weeks after the first day
    and ``horizon`` weeks before the last; this keeps about half of the remaining span for
    launches: ``min(wanted, (span_days - 28) // 7 // 2)``, 0 when the data is too short.
    """
    span = int(last_day) - int(first_day) + 1
    return max(0, min(int(wanted), (span - 4 * WEEK) // WEEK // 2))


def life_cycle(transactions, wanted_weeks: int = 26) -> pd.DataFrame:
    """``stats.article_life_cycle`` over as many weeks as the data allows (``life_cycle_horizon``);
    no rows when the data is too short to follow any launch."""
    tx = stats.Tx.of(transactions)
    horizon = life_cycle_horizon(tx.day.min(), tx.day.max(), wanted_weeks) if len(tx) else 0
    if horizon < 1:
        return pd.DataFrame({"weeks_since_first_sale": pd.Series(dtype=np.int64), "rows": pd.Series(dtype=np.int64),
                             "share": pd.Series(dtype=np.float64), "articles": pd.Series(dtype=np.int64)})
    return stats.article_life_cycle(tx, max_weeks=horizon)


# --- repurchase -----------------------------------------------------------------------------------
REPURCHASE_COLUMNS = [c.T_DAT, c.CUSTOMER_ID, c.ARTICLE_ID]


REPURCHASE_LEVELS = (c.ARTICLE_ID, c.PRODUCT_CODE, c.PRODUCT_TYPE_NO)


def earlier_purchase_shares(
    transactions, articles: pd.DataFrame, week, levels: Sequence[str] = REPURCHASE_LEVELS
) -> dict[str, float]:
    """For each level, the share of ``week``'s distinct (customer, article) pairs for which the
    customer bought, strictly before the week, an article with the same value of that
    ``articles`` column: ``article_id`` the exact article (as ``stats.exact_repurchase_share``),
    ``product_code`` the same product in any colour, ``product_type_no`` the same product type.
    Articles missing from ``articles`` (or without a value) form their own group.

    Looks at the week's rows and the earlier rows of its buyers; NaN if the week has none.
    """
    tx = stats.Tx.of(transactions)
    start, end = calendar.week_bounds(week)
    w = tx.window(start, end)
    if not len(w):
        return {level: float("nan") for level in levels}
    before = tx.window(end=start)
    before = before.take(isin_sorted(before.customer, unique(w.customer)))
    pairs = unique(keys.pair_key(w.customer, w.article))
    earlier = unique(keys.pair_key(before.customer, before.article))
    customer, article = keys.split_pair_key(np.concatenate([pairs, earlier]))
    out = {}
    for level in levels:
        group = article if level == c.ARTICLE_ID else stats.group_codes(articles, level, article)
        by_group = keys.group_key(customer, group)
        out[level] = float(isin_sorted(by_group[: len(pairs)], unique(by_group[len(pairs) :])).mean())
    return out


def _ranges(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(lo[i], hi[i])`` for every i, without a Python loop."""
    lengths = hi - lo
    total = int(lengths.sum())
    if not total:
        return np.empty(0, np.int64)
    starts = np.repeat(lo - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return starts + np.arange(total)


def repurchase_by_week(transactions, articles: pd.DataFrame, weeks: Sequence[str]) -> pd.DataFrame:
    """For each week: ``pairs`` (distinct customer-article pairs) and the shares of them bought
    before at each level: ``exact_article`` (``stats.exact_repurchase_share``), ``other_colour``
    (``stats.other_colour_share``: another article of the product), ``same_product`` (any article
    of the product, exact included) and ``same_product_type``. NaN for weeks without rows.

    Each week looks at its rows and the earlier rows of its buyers.
    """
    tx = stats.Tx.of(transactions)
    # only a week's buyers matter: index rows by customer once, then cut each week's buyers'
    # rows out of it for the four statistics (cost: their rows, not all rows, per week)
    by_customer = np.argsort(tx.customer, kind="stable")
    sorted_customer = tx.customer[by_customer]
    out = []
    for week in weeks:
        start, end = calendar.week_bounds(week)
        in_week = (tx.day >= start) & (tx.day < end)
        buyers = unique(tx.customer[in_week])
        row: dict = {"week": calendar.week_key(week), "pairs": 0}
        if len(buyers):
            lo, hi = np.searchsorted(sorted_customer, buyers, "left"), np.searchsorted(sorted_customer, buyers, "right")
            rows = by_customer[_ranges(lo, hi)]
            mine = tx.take(rows[tx.day[rows] < end])
            row["pairs"] = len(unique(keys.pair_key(mine.customer[mine.day >= start], mine.article[mine.day >= start])))
            row["exact_article"] = stats.exact_repurchase_share(mine, week)
            row["other_colour"] = stats.other_colour_share(mine, articles, week)
            coarser = earlier_purchase_shares(mine, articles, week, (c.PRODUCT_CODE, c.PRODUCT_TYPE_NO))
            row["same_product"] = coarser[c.PRODUCT_CODE]
            row["same_product_type"] = coarser[c.PRODUCT_TYPE_NO]
        out.append(row)
    columns = ["week", "pairs", "exact_article", "other_colour", "same_product", "same_product_type"]
    return pd.DataFrame(out, columns=columns)


# --- customers ---------------------------------------------------------------------------------------
CUSTOMER_ACTIVITY_COLUMNS = [c.T_DAT, c.CUSTOMER_ID]
NEVER = np.iinfo(np.int32).min  # last_day of a customer who never bought


def customer_activity(weeks: Iterable[stats.Tx], customer_ids: np.ndarray) -> pd.DataFrame:
    """Per customer (in the order of ``customer_ids``, the dense warehouse keys): ``rows``,
    ``active_days`` (distinct days with a purchase) and ``last_day`` (days since epoch,
    ``NEVER`` if none), accumulated over the given week slices without holding them together.

    Rows of customers outside ``customer_ids`` are ignored (the raw checks reject them).
    """
    ids = np.asarray(customer_ids, dtype=np.int64)
    size = int(ids.max()) + 1 if len(ids) else 0
    rows = np.zeros(size, np.int64)
    active = np.zeros(size, np.int64)
    last = np.full(size, NEVER, np.int32)
    for tx in weeks:
        keep = (tx.customer >= 0) & (tx.customer < size)
        cust, day = tx.customer[keep], tx.day[keep]
        if not len(cust):
            continue
        first = int(day.min())
        # sorted by customer, then day
        k_cust, k_offset = keys.split_day_key(unique(keys.day_key(cust, day - first)))
        k_day = k_offset + first
        rows += np.bincount(cust, minlength=size)
        active += np.bincount(k_cust, minlength=size)
        latest = np.r_[k_cust[1:] != k_cust[:-1], True]  # each customer's latest day in the slice
        last[k_cust[latest]] = np.maximum(last[k_cust[latest]], k_day[latest])
    return pd.DataFrame({c.CUSTOMER_ID: ids, "rows": rows[ids], "active_days": active[ids], "last_day": last[ids]})


def last_purchases(activity: pd.DataFrame) -> stats.Tx:
    """One row per customer who bought, on their last purchase day.

    Enough for ``stats.dormancy`` and ``stats.never_bought_share``: whether a customer bought in
    ``[end - d, end)`` depends only on their last purchase before ``end``.
    """
    bought = activity[activity["last_day"] != NEVER]
    return history.tx_from_arrow(
        pa.table({c.T_DAT: pa.array(bought["last_day"].to_numpy(np.int32)).cast(pa.date32()),
                  c.CUSTOMER_ID: bought[c.CUSTOMER_ID].to_numpy(np.int64)})
    )


ACTIVITY_BINS = (0, 1, 2, 5, 10, 20, 50)


def activity_distribution(activity: pd.DataFrame, bins: Sequence[int] = ACTIVITY_BINS) -> pd.DataFrame:
    """Customers by how much they bought: for each bin of counts (``0``, ``1``, ``2-4``, ...,
    ``50+`` for the defaults), customers and their share by ``rows`` and by ``active_days``."""
    edges = [*bins, np.inf]
    labels = [
        str(lo) if hi == lo + 1 else (f"{lo}+" if hi == np.inf else f"{lo}-{int(hi) - 1}")
        for lo, hi in zip(edges[:-1], edges[1:])
    ]
    n = len(activity)
    out = {"purchases": labels}
    for col in ("rows", "active_days"):
        counts = np.histogram(activity[col].to_numpy(np.float64), bins=np.asarray(edges, np.float64) - 0.5)[0]
        out[f"customers_by_{col}"] = counts
        out[f"share_by_{col}"] = counts / n if n else np.full(len(labels), np.nan)
    return pd.DataFrame(out)


def age_counts(customers: pd.DataFrame) -> pd.DataFrame:
    """Customers per whole year of age (known ages only), youngest first."""
    age = pd.to_numeric(customers[c.AGE], errors="coerce").dropna()
    counts = np.floor(age).astype(np.int64).value_counts().sort_index()
    return pd.DataFrame({c.AGE: counts.index.to_numpy(np.int64), "customers": counts.to_numpy(np.int64)})


# --- articles ----------------------------------------------------------------------------------------
def price_histogram(prices, bins: int = 40) -> pd.DataFrame:
    """Rows per log-spaced price bin between the lowest and highest positive price:
    ``price_from, price_to, rows, share`` (the last bin includes its upper edge)."""
    p = np.asarray(prices, dtype=np.float64)
    p = p[p > 0]
    if not len(p):
        return pd.DataFrame({"price_from": [], "price_to": [], "rows": pd.Series(dtype=np.int64), "share": []})
    lo, hi = float(p.min()), float(p.max())
    edges = np.geomspace(lo, hi, bins + 1) if hi > lo else np.array([lo, hi])
    edges[0], edges[-1] = lo, hi  # exact ends, so that the extremes fall inside
    counts = np.histogram(p, bins=edges)[0]
    return pd.DataFrame({"price_from": edges[:-1], "price_to": edges[1:], "rows": counts, "share": counts / len(p)})


def catalogue_summary(articles: pd.DataFrame) -> pd.DataFrame:
    """``statistic, value``: articles, product codes, articles per product (colour variants),
    and the distinct product types, product groups, index groups and colour groups present."""
    n = len(articles)
    products = articles[c.PRODUCT_CODE].nunique() if c.PRODUCT_CODE in articles else 0
    per_product = n / products if products else np.nan
    rows = [("articles", n), ("product_codes", products), ("articles_per_product", per_product)]
    for col in (c.PRODUCT_TYPE_NO, c.PRODUCT_GROUP_NAME, c.INDEX_GROUP_NAME, COLOUR_GROUP_NAME):
        if col in articles:
            rows.append((f"distinct_{col}", articles[col].nunique()))
    return pd.DataFrame({"statistic": [r[0] for r in rows], "value": [float(r[1]) for r in rows]})

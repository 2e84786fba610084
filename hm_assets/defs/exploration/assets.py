"""Exploration: the data's story as tables and charts on each materialization.

Non-partitioned assets over the raw tables. Each reads only the columns it needs (the
week-parted transactions through a lazy handle, part by part where it can), computes with
``hm_assets.recsys.stats`` (the code behind the generator's calibration report too) and
``hm_assets.recsys.exploration``, returns its main table, and puts its findings in metadata as
Markdown tables and embedded PNG charts. "The week" is the last week with purchases in the data,
so the assets work for any date range; a statistic that is undefined shows as ``n/a``.
"""

import math

import dagster as dg
import numpy as np
import pandas as pd
from pydantic import Field

from hm_assets import columns as c
from hm_assets.defs import metadata
from hm_assets.defs.exploration import plots
from hm_assets.io.storage import ParquetHandle
from hm_assets.recsys import exploration as ex
from hm_assets.recsys import history, stats

GROUP = "exploration"
DORMANT_WEEKS = (4, 12, 52)


def _table(frame: pd.DataFrame, floatfmt: str = ".4f") -> dg.MetadataValue:
    return metadata.table(frame, floatfmt)


def _chart(title: str, png: bytes) -> dg.MetadataValue:
    return metadata.image(title, png)


def _numbers(values: dict) -> dict:
    """Numeric metadata for the UI's plots over time, rounded; undefined values are left out."""
    return metadata.numbers({k: float(v) for k, v in values.items() if v is not None})


def _weeks_axis(weeks: pd.Series) -> pd.Series:
    return pd.to_datetime(weeks)


def _range_labels(upper_edges) -> list[str]:
    """``1, 2-7, 8-14, ..., 366+`` from the inclusive upper edges of integer bins."""
    labels, low = [], 1
    for edge in upper_edges:
        if math.isinf(edge):
            labels.append(f"{low}+")
        else:
            labels.append(str(int(edge)) if int(edge) == low else f"{low}-{int(edge)}")
            low = int(edge) + 1
    return labels


class PopularityConfig(dg.Config):
    weeks: int = Field(default=12, description="Weeks analysed, ending with the last week that has purchases.")
    top_n: list[int] = Field(
        default=[12, 36, 100, 1000], description="Sizes of the previous week's top list (by rows)."
    )
    top_n_by_buyers: list[int] = Field(
        default=[12, 36], description="Sizes of the previous week's top list by distinct buyers (pair coverage)."
    )
    life_cycle_weeks: int = Field(
        default=26, description="Weeks after an article's first sale to follow (fewer when the data is short)."
    )


class RepurchaseConfig(dg.Config):
    weeks: int = Field(default=6, description="Weeks analysed, ending with the last week that has purchases.")


@dg.asset(group_name=GROUP, kinds={"pandas"})
def sales_over_time(context: dg.AssetExecutionContext, transactions: ParquetHandle) -> pd.DataFrame:
    """One row per day: rows, distinct buyers, channel-2 (online) share; plus weekly totals,
    the weekday profile (weekly seasonality) and the biggest spikes (promotions).

    Reads ``t_dat, customer_id, sales_channel_id``, one week part at a time.
    """
    daily, weekly = ex.sales_by_day_and_week(history.iter_weeks(transactions, ex.SALES_COLUMNS))
    profile = ex.weekday_profile(daily)
    spikes = ex.spike_days(daily)
    days = daily[c.T_DAT]
    daily_chart = plots.twin_line_chart(
        days, ("rows", daily["rows"]), ("distinct buyers", daily["buyers"]),
        "Daily rows (blue) and distinct buyers (orange)",
    )
    channel_chart = plots.line_chart(
        _weeks_axis(weekly["week"]), {"channel 2 (online)": weekly["channel_2_share"]},
        "Share of rows sold online (channel 2), by week", percent=True,
    )
    context.add_output_metadata(
        {
            "first_day": str(days.min().date()) if len(days) else plots.NA,
            "last_day": str(days.max().date()) if len(days) else plots.NA,
            "rows": int(daily["rows"].sum()),
            **_numbers({"mean_daily_rows": daily["rows"].mean() if len(daily) else None}),
            "plot_daily_sales": _chart("Daily rows and distinct buyers", daily_chart),
            "plot_channel_mix": _chart("Channel mix by week", channel_chart),
            "weekday_profile": _table(profile, ".2f"),
            "spike_days": _table(spikes, ".2f"),
            "weekly_sales": _table(weekly),
        }
    )
    return daily


@dg.asset(group_name=GROUP, kinds={"pandas"})
def popularity_dynamics(
    context: dg.AssetExecutionContext, config: PopularityConfig, transactions: ParquetHandle
) -> pd.DataFrame:
    """One row per recent week: how much of its purchases the previous week's top-N articles
    cover (by rows; and by buyers, of the distinct customer-article pairs), for each N. Also the
    article life cycle: sales by weeks since an article's first sale.

    Reads ``t_dat, customer_id, article_id`` of the recent weeks, and ``t_dat, article_id`` of all.
    """
    last = history.last_week_with_rows(transactions)
    weeks = history.weeks_ending(transactions, last, config.weeks).names
    window = history.weeks_ending(transactions, last, config.weeks + 1)  # and the week before the first
    coverage = ex.coverage_by_week(
        history.read_tx(window, ex.POPULARITY_COLUMNS), weeks, config.top_n, config.top_n_by_buyers
    )
    curve = ex.life_cycle(history.read_tx(transactions, [c.T_DAT, c.ARTICLE_ID]), config.life_cycle_weeks)
    coverage_chart = plots.line_chart(
        _weeks_axis(coverage["week"]), {f"top {n}": coverage[f"rows_top_{n}"] for n in config.top_n},
        "Share of the week's rows among the previous week's top-N articles", percent=True, markers=True,
    )
    followed = int(curve["articles"].max()) if len(curve) else 0
    life_cycle_chart = plots.line_chart(
        curve["weeks_since_first_sale"], {"share of rows": curve["share"]},
        f"Sales by weeks since first sale ({followed} articles followed)",
        xlabel="weeks since first sale", percent=True, markers=True,
    )
    context.add_output_metadata(
        {
            "last_week": last or plots.NA,
            **_numbers({f"mean_rows_top_{n}": coverage[f"rows_top_{n}"].mean() for n in config.top_n}),
            "plot_coverage": _chart("Coverage by the previous week's top-N", coverage_chart),
            "plot_life_cycle": _chart("Article life cycle", life_cycle_chart),
            "coverage": _table(coverage),
            "life_cycle": _table(curve),
        }
    )
    return coverage


@dg.asset(
    group_name=GROUP,
    kinds={"pandas"},
    ins={"articles": dg.AssetIn(metadata={"columns": [c.ARTICLE_ID, c.PRODUCT_CODE, c.PRODUCT_TYPE_NO]})},
)
def repurchase_behaviour(
    context: dg.AssetExecutionContext, config: RepurchaseConfig, transactions: ParquetHandle, articles: pd.DataFrame
) -> pd.DataFrame:
    """One row per recent week: the share of its customer-article pairs bought before, as the
    exact article, another colour of the product, any article of the product, or the same
    product type. Also the gaps between a customer's consecutive active days (all data).

    Reads ``t_dat, customer_id, article_id`` of all weeks.
    """
    last = history.last_week_with_rows(transactions)
    weeks = history.weeks_ending(transactions, last, config.weeks).names
    tx = history.read_tx(transactions, ex.REPURCHASE_COLUMNS)
    by_week = ex.repurchase_by_week(tx, articles, weeks)
    gaps = stats.purchase_gaps(tx)
    levels = ["exact_article", "other_colour", "same_product", "same_product_type"]
    labels = _range_labels(gaps["gap_days_upto"])
    levels_chart = plots.line_chart(
        _weeks_axis(by_week["week"]), {k.replace("_", " "): by_week[k] for k in levels},
        "Share of the week's pairs bought before, by level", percent=True, markers=True,
    )
    gaps_chart = plots.bar_chart(
        labels, gaps["share"], "Days between a customer's consecutive active days", ylabel="share of gaps", percent=True
    )
    context.add_output_metadata(
        {
            "last_week": last or plots.NA,
            **_numbers({f"mean_{level}": by_week[level].mean() for level in levels}),
            "plot_repurchase": _chart("Repurchase levels by week", levels_chart),
            "plot_purchase_gaps": _chart("Days between a customer's purchases", gaps_chart),
            "repurchase_by_week": _table(by_week),
            "purchase_gaps": _table(gaps.assign(gap_days=labels)[["gap_days", "gaps", "share", "cumulative_share"]]),
        }
    )
    return by_week


@dg.asset(
    group_name=GROUP,
    kinds={"pandas"},
    ins={"customers": dg.AssetIn(metadata={"columns": [c.CUSTOMER_ID, c.AGE, c.POSTAL_CODE]})},
)
def customer_overview(
    context: dg.AssetExecutionContext, transactions: ParquetHandle, customers: pd.DataFrame
) -> pd.DataFrame:
    """``statistic, value`` for the customer base: without history, dormant for 4/12/52 weeks
    (as of the day after the last purchase in the data), the week's buyers, age and postal codes.
    Also the activity distribution, the age histogram and segment summaries of the last week
    with purchases by age band and by postal-code size.

    Reads ``t_dat, customer_id`` one week part at a time, and ``customer_id, age, postal_code``.
    """
    parts = (tx for _, tx in history.iter_weeks(transactions, ex.CUSTOMER_ACTIVITY_COLUMNS))
    activity = ex.customer_activity(parts, customers[c.CUSTOMER_ID].to_numpy())
    latest = ex.last_purchases(activity)
    week = history.last_week_with_rows(transactions)
    week_tx = history.read_tx(history.weeks_ending(transactions, week, 1), ex.CUSTOMER_ACTIVITY_COLUMNS)
    end = latest.last_day + 1 if latest.last_day is not None else None
    dormant = stats.dormancy(latest, customers, end, DORMANT_WEEKS) if end is not None else {}
    ages = stats.age_summary(customers)
    postal = stats.postal_code_concentration(customers)
    values = {
        "customers": len(customers),
        "without_history_share": stats.never_bought_share(latest, customers),
        **{f"dormant_{w}_weeks_share": dormant.get(w, np.nan) for w in DORMANT_WEEKS},
        "week_buyer_share": stats.weekly_buyer_share(week_tx, customers, week) if week else np.nan,
        "age_mean": ages["mean"],
        "age_missing_share": ages["missing_share"],
        "age_share_20_29": ages["share_20_29"],
        "age_share_45_54": ages["share_45_54"],
        "postal_codes": postal["distinct"],
        "largest_postal_code_share": postal["largest_share"],
        "alone_in_postal_code_share": postal["alone_share"],
    }
    summary = pd.DataFrame({"statistic": list(values), "value": [float(v) for v in values.values()]})
    distribution = ex.activity_distribution(activity)
    by_age = stats.age_band_summary(week_tx, customers)
    by_postal = stats.postal_code_size_summary(week_tx, customers)
    age = ex.age_counts(customers)
    known = 1 - ages["missing_share"]
    age_chart = plots.histogram_chart(
        age[c.AGE], age[c.AGE] + 1, age["customers"],
        f"Customers by age (age known for {known:.1%})" if math.isfinite(known) else "Customers by age", xlabel="age",
    )
    activity_chart = plots.bar_chart(
        distribution["purchases"], distribution["share_by_active_days"],
        "Customers by number of active days (whole history)", ylabel="share of customers", percent=True,
    )
    context.add_output_metadata(
        {
            "week": week or plots.NA,
            **_numbers({k: v for k, v in values.items() if k != "customers"}),
            "plot_age": _chart("Age distribution", age_chart),
            "plot_activity": _chart("Customer activity", activity_chart),
            "summary": _table(summary),
            "activity_distribution": _table(distribution),
            "by_age_band": _table(by_age),
            "by_postal_code_size": _table(by_postal),
        }
    )
    return summary


@dg.asset(
    group_name=GROUP,
    kinds={"pandas"},
    ins={
        "articles": dg.AssetIn(
            metadata={"columns": [c.ARTICLE_ID, c.PRODUCT_CODE, c.PRODUCT_TYPE_NO, c.PRODUCT_GROUP_NAME,
                                  c.INDEX_GROUP_NAME, ex.COLOUR_GROUP_NAME]}
        )
    },
)
def article_catalogue(
    context: dg.AssetExecutionContext, transactions: ParquetHandle, articles: pd.DataFrame
) -> pd.DataFrame:
    """``dimension, value, articles, share``: articles by index group, product group and colour
    group. Also the catalogue's size (colour variants per product) and the price distribution
    of all transaction rows.

    Reads six article columns and the ``price`` of every transaction.
    """
    dimensions = (c.INDEX_GROUP_NAME, c.PRODUCT_GROUP_NAME, ex.COLOUR_GROUP_NAME)
    counts = {by: stats.article_counts(articles, by) for by in dimensions}
    prices = history.read_tx(transactions, [c.PRICE])
    price = stats.price_summary(prices)
    quantiles = stats.price_distribution(prices)
    price_table = pd.DataFrame(
        {"statistic": [*(f"q{q:g}" for q in quantiles.index), *price],
         "price": [*quantiles.to_numpy(), *price.values()]}
    )
    histogram = ex.price_histogram(prices.price)
    long = pd.concat(
        [frame.rename(columns={by: "value"}).assign(dimension=by) for by, frame in counts.items()], ignore_index=True
    )[["dimension", "value", "articles", "share"]]
    long["value"] = long["value"].astype(str)
    charts = {
        f"plot_{by}": _chart(
            f"Articles by {by}",
            plots.bar_chart(
                frame[by], frame["articles"], f"Articles by {by.replace('_', ' ')}", ylabel="articles", horizontal=True
            ),
        )
        for by, frame in counts.items()
    }
    context.add_output_metadata(
        {
            **_numbers({"price_median": price["median"], "price_mean": price["mean"]}),
            **charts,
            "plot_price": _chart(
                "Price distribution",
                plots.histogram_chart(histogram["price_from"], histogram["price_to"], histogram["rows"],
                                      "Transaction rows by price (log scale)", xlabel="price", log_x=True),
            ),
            "catalogue": _table(ex.catalogue_summary(articles)),
            **{f"by_{by}": _table(frame) for by, frame in counts.items()},
            "price_distribution": _table(price_table, ".6f"),
        }
    )
    return long


assets = [sales_over_time, popularity_dynamics, repurchase_behaviour, customer_overview, article_catalogue]

"""Exploration: statistics on tiny hand-built histories with worked-out values, and the assets'
metadata (a Markdown table and a decodable PNG each) on the conftest data and on awkward data.

The hand-built history (articles A, B = two colours of product 100001, C = product 100002 of the
same type 10, D = product 100003 of type 20, U = not in the catalogue):

    before week 2020-09-16   c1: A (09-01)   c2: C (09-02)   c3: U (09-03)
    week 2020-09-16          c1: A, B        c2: A           c3: U, D       c4: D
    after                    c5: A (09-25)

Pairs of the week: (c1,A) (c1,B) (c2,A) (c3,U) (c3,D) (c4,D) = 6, of which bought before
- as the exact article: (c1,A) (c3,U) -> 2/6
- another colour of the product: (c1,B) -> 1/6
- any article of the product: (c1,A) (c1,B) (c3,U: its own product) -> 3/6
- the same product type: those three and (c2,A) (C is type 10) -> 4/6
"""

import base64
import dataclasses
import datetime as dt
import re

import dagster as dg
import numpy as np
import pandas as pd
import pytest

from hm_assets import calendar
from hm_assets import columns as c
from hm_assets.defs.exploration import assets as exploration_assets
from hm_assets.defs.exploration import plots
from hm_assets.defs.raw import assets as raw_assets
from hm_assets.recsys import exploration as ex
from hm_assets.recsys import keys
from hm_assets.recsys import stats
from hm_assets_tests.conftest import HEX, transactions_csv

PNG = b"\x89PNG\r\n\x1a\n"
A, B, C, D, U = 100001001, 100001002, 100002001, 100003001, 999999001
WEEK = "2020-09-16"


day = calendar.day_number


def frame(rows, channel: int = 2) -> pd.DataFrame:
    """(day, customer, article[, price]) tuples as a warehouse transactions frame."""
    rows = [r if len(r) == 4 else (*r, 0.02) for r in rows]
    return pd.DataFrame(
        {
            c.T_DAT: pd.to_datetime([r[0] for r in rows]).astype("datetime64[s]"),
            c.CUSTOMER_ID: np.array([r[1] for r in rows], np.int32),
            c.ARTICLE_ID: np.array([r[2] for r in rows], np.int32),
            c.PRICE: np.array([r[3] for r in rows], np.float32),
            c.SALES_CHANNEL_ID: np.full(len(rows), channel, np.int8),
        }
    )


@pytest.fixture
def catalogue() -> pd.DataFrame:
    return pd.DataFrame(
        {
            c.ARTICLE_ID: [A, B, C, D],
            c.PRODUCT_CODE: [100001, 100001, 100002, 100003],
            c.PRODUCT_TYPE_NO: [10, 10, 10, 20],
        }
    )


@pytest.fixture
def history() -> pd.DataFrame:
    return frame(
        [
            ("2020-09-01", 1, A), ("2020-09-02", 2, C), ("2020-09-03", 3, U),
            ("2020-09-16", 1, A), ("2020-09-17", 1, B), ("2020-09-17", 1, B), ("2020-09-18", 2, A),
            ("2020-09-19", 3, U), ("2020-09-19", 3, D), ("2020-09-22", 4, D),
            ("2020-09-25", 5, A),
        ]
    )


def test_unique_and_isin_sorted_match_numpy():
    from hm_assets.recsys import stats

    values = np.array([5, 3, 5, 1, 3, 3])
    got = stats.unique(values, return_index=True, return_counts=True)
    want = np.unique(values, return_index=True, return_counts=True)
    assert all(g.tolist() == w.tolist() for g, w in zip(got, want))
    values = np.array([keys.pair_key(5, 7), 3, 3, (1 << 40), 0, 7], np.int64)
    assert ex.unique(values).tolist() == np.unique(values).tolist()
    assert ex.unique(np.empty(0, np.int64)).tolist() == []
    probe = np.array([3, 4, 1 << 40, -1, 1 << 50], np.int64)
    assert ex.isin_sorted(probe, ex.unique(values)).tolist() == np.isin(probe, values).tolist()
    assert ex.isin_sorted(probe, np.empty(0, np.int64)).tolist() == [False] * 5


# --- sales over time ---------------------------------------------------------------------------------
def test_sales_by_day_and_week():
    def tx(rows, channels):
        f = frame(rows).assign(**{c.SALES_CHANNEL_ID: np.array(channels, np.int8)})
        return stats.Tx.of(f)

    empty = tx([], [])
    weeks = [
        ("2020-08-26", empty),
        ("2020-09-02", tx([("2020-09-03", 0, A), ("2020-09-03", 1, A), ("2020-09-05", 0, B)], [2, 1, 2])),
        ("2020-09-09", empty),
        ("2020-09-16", tx([("2020-09-16", 2, A)], [1])),
        ("2020-09-23", empty),
    ]
    daily, weekly = ex.sales_by_day_and_week(weeks)
    assert len(daily) == 14  # 09-03 .. 09-16, days without sales included
    first = daily.iloc[0]
    assert (first["rows"], first["buyers"], first["channel_2_share"]) == (2, 2, 0.5)
    assert daily.iloc[1]["rows"] == 0 and np.isnan(daily.iloc[1]["channel_2_share"])
    assert daily.iloc[2][["rows", "buyers", "channel_2_share"]].tolist() == [1, 1, 1.0]
    assert daily.iloc[-1][["rows", "buyers", "channel_2_share"]].tolist() == [1, 1, 0.0]
    assert weekly["week"].tolist() == ["2020-09-02", "2020-09-09", "2020-09-16"]  # leading/trailing empty weeks cut
    assert weekly["rows"].tolist() == [3, 0, 1] and weekly["buyers"].tolist() == [2, 0, 1]
    assert weekly["rows_per_buyer"].tolist()[::2] == [1.5, 1.0] and np.isnan(weekly["rows_per_buyer"][1])
    assert weekly["channel_2_share"][0] == pytest.approx(2 / 3) and weekly["channel_2_share"][2] == 0.0

    daily, weekly = ex.sales_by_day_and_week([("2020-09-02", empty)])
    assert daily.empty and weekly.empty


def test_weekday_profile_worked_example():
    # two weeks from Wednesday 2020-09-02: Wednesdays 10 and 20 rows, every other day 5
    days = pd.date_range("2020-09-02", periods=14, freq="D", unit="s")
    rows = np.where(days.day_of_week == 2, np.where(days < "2020-09-09", 10, 20), 5)
    profile = ex.weekday_profile(pd.DataFrame({c.T_DAT: days, "rows": rows, "buyers": rows}))
    assert profile["weekday"].tolist() == ["Wed", "Thu", "Fri", "Sat", "Sun", "Mon", "Tue"]
    assert profile["days"].tolist() == [2] * 7
    assert profile["mean_rows"].tolist() == [15, 5, 5, 5, 5, 5, 5]
    mean = (10 + 20 + 12 * 5) / 14
    assert profile["rows_index"].tolist() == pytest.approx([15 / mean] + [5 / mean] * 6)


def test_spike_days_compare_a_day_with_the_same_weekday():
    days = pd.date_range("2020-09-02", periods=35, freq="D", unit="s")
    rows = np.where(days.day_of_week == 4, 300, 100)  # Fridays are always busier: seasonality, no spike
    rows[days == "2020-09-18"] = 900  # the third Friday: a promotion
    rows[days == "2020-09-20"] = 0  # a closed Sunday
    spikes = ex.spike_days(pd.DataFrame({c.T_DAT: days, "rows": rows, "buyers": rows}), weeks_around=3, top=2)
    assert spikes[c.T_DAT].dt.strftime("%Y-%m-%d").tolist() == ["2020-09-18", "2020-09-02"]
    assert spikes["weekday"].tolist() == ["Fri", "Wed"]
    assert spikes["baseline"].tolist() == [300, 100] and spikes["ratio"].tolist() == [3.0, 1.0]


# --- popularity --------------------------------------------------------------------------------------
def test_coverage_by_week_worked_example():
    # the conftest history: 09-09 week A1, A2, A3 x3 (A3: 3 rows, 2 buyers); 09-16 week A1, A5, A3
    tx = frame([("2020-09-03", 0, 4), ("2020-09-10", 0, 1), ("2020-09-11", 1, 2), ("2020-09-12", 2, 3),
                ("2020-09-12", 2, 3), ("2020-09-13", 3, 3), ("2020-09-17", 0, 1), ("2020-09-18", 1, 5),
                ("2020-09-20", 3, 3)])
    cov = ex.coverage_by_week(tx, ["2020-09-02", "2020-09-09", "2020-09-16"], ns=(1, 12), buyer_ns=(1, 12))
    assert list(cov.columns) == [
        "week", "rows", "rows_top_1", "rows_top_12", "pairs_top_1_by_buyers", "pairs_top_12_by_buyers"]
    assert cov["rows"].tolist() == [1, 5, 3]
    assert cov.iloc[0, 2:].isna().all()  # no week before: undefined
    assert cov.iloc[1, 2:].tolist() == [0.0, 0.0, 0.0, 0.0]  # last week's A4 is not bought
    assert cov.iloc[2, 2:].tolist() == pytest.approx([1 / 3, 2 / 3, 1 / 3, 2 / 3])


def test_life_cycle_horizon_fits_the_data():
    assert ex.life_cycle_horizon(0, 733, 26) == 26  # H&M's 734 days
    assert ex.life_cycle_horizon(0, 90, 26) == 4  # three months: (91 - 28) // 7 // 2
    assert ex.life_cycle_horizon(0, 17, 26) == 0
    curve = ex.life_cycle(frame([("2020-09-03", 0, A), ("2020-09-17", 0, B)]))
    assert curve.empty and list(curve.columns) == ["weeks_since_first_sale", "rows", "share", "articles"]


# --- repurchase ----------------------------------------------------------------------------------------
def test_earlier_purchase_shares_by_level(history, catalogue):
    shares = ex.earlier_purchase_shares(history, catalogue, WEEK)
    assert shares == pytest.approx({c.ARTICLE_ID: 2 / 6, c.PRODUCT_CODE: 3 / 6, c.PRODUCT_TYPE_NO: 4 / 6})
    assert shares[c.ARTICLE_ID] == stats.exact_repurchase_share(history, WEEK)
    # U is unknown: still its own product; and a catalogue without rows makes every article its own group
    assert ex.earlier_purchase_shares(history, catalogue.iloc[:0], WEEK, [c.PRODUCT_TYPE_NO]) == {
        c.PRODUCT_TYPE_NO: pytest.approx(2 / 6)}
    assert np.isnan(ex.earlier_purchase_shares(history, catalogue, "2020-09-09")[c.PRODUCT_CODE])


def test_repurchase_by_week(history, catalogue):
    table = ex.repurchase_by_week(history, catalogue, ["2020-08-19", "2020-08-26", WEEK])
    assert table["pairs"].tolist() == [0, 1, 6]
    assert table.iloc[0, 2:].isna().all()  # no rows that week
    assert table.iloc[1, 2:].tolist() == [0.0, 0.0, 0.0, 0.0]  # c1's first purchase: no history
    assert table.iloc[2, 2:].tolist() == pytest.approx([2 / 6, 1 / 6, 3 / 6, 4 / 6])


# --- customers -------------------------------------------------------------------------------------------
def test_customer_activity_streams_weeks(history):
    tx = stats.Tx.of(history)
    later, earlier = tx.window(day(WEEK)), tx.window(end=day(WEEK))  # out of order on purpose
    activity = ex.customer_activity([later, earlier], np.arange(7))
    assert activity["rows"].tolist() == [0, 4, 2, 3, 1, 1, 0]
    assert activity["active_days"].tolist() == [0, 3, 2, 2, 1, 1, 0]  # c1 bought B twice on 09-17
    assert activity["last_day"].tolist() == [ex.NEVER, day("2020-09-17"), day("2020-09-18"), day("2020-09-19"),
                                             day("2020-09-22"), day("2020-09-25"), ex.NEVER]
    dist = ex.activity_distribution(activity)
    assert dist["purchases"].tolist() == ["0", "1", "2-4", "5-9", "10-19", "20-49", "50+"]
    assert dist["customers_by_rows"].tolist() == [2, 2, 3, 0, 0, 0, 0]
    assert dist["customers_by_active_days"].tolist() == [2, 2, 3, 0, 0, 0, 0]
    assert dist["share_by_rows"].sum() == pytest.approx(1.0)

    # the last purchases answer dormancy exactly as the full history does
    customers = pd.DataFrame({c.CUSTOMER_ID: np.arange(7)})
    latest = ex.last_purchases(activity)
    for end in ("2020-09-20", "2020-09-26", "2020-10-20"):
        assert stats.dormancy(latest, customers, end, (1, 4)) == stats.dormancy(tx, customers, end, (1, 4))
    assert stats.never_bought_share(latest, customers) == pytest.approx(2 / 7)


def test_age_counts_floor_known_ages():
    counts = ex.age_counts(pd.DataFrame({c.AGE: [20.0, 20.7, np.nan, 45.0]}))
    assert counts.to_dict("list") == {c.AGE: [20, 45], "customers": [2, 1]}
    assert ex.age_counts(pd.DataFrame({c.AGE: [np.nan, np.nan]})).empty


# --- articles ----------------------------------------------------------------------------------------------
def test_price_histogram_log_bins():
    h = ex.price_histogram([1.0, 10.0, 100.0, 0.0], bins=2)  # zero price: left out
    assert h["price_from"].tolist() == pytest.approx([1, 10]) and h["price_to"].tolist() == pytest.approx([10, 100])
    assert h["rows"].tolist() == [1, 2] and h["share"].tolist() == pytest.approx([1 / 3, 2 / 3])
    assert ex.price_histogram([0.5, 0.5])["rows"].tolist() == [2]
    assert ex.price_histogram([]).empty


def test_catalogue_summary(catalogue):
    def summary(articles):
        return ex.catalogue_summary(articles).set_index("statistic")["value"]

    full = summary(catalogue)
    assert full["articles"] == 4 and full["product_codes"] == 3
    assert full["articles_per_product"] == pytest.approx(4 / 3)
    assert full["distinct_product_type_no"] == 2
    assert np.isnan(summary(catalogue.iloc[:0])["articles_per_product"])  # no products: undefined


# --- rendering -------------------------------------------------------------------------------------------
def md_rows(markdown: str) -> dict[str, list[str]]:
    """A Markdown table's body rows keyed by their first cell, cells stripped."""
    lines = markdown.strip().splitlines()[2:]
    cells = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines]
    return {row[0]: row[1:] for row in cells}


def pngs(markdown: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r"\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", markdown)]


def test_markdown_table_shows_undefined_as_na():
    text = plots.markdown_table(pd.DataFrame({"week": pd.to_datetime(["2020-09-16"]), "share": [np.nan], "n": [3]}))
    assert "2020-09-16 " in text and "00:00" not in text and "n/a" in text and "nan" not in text


@pytest.mark.parametrize(
    "png",
    [
        lambda: plots.line_chart(pd.to_datetime(["2020-09-09", "2020-09-16"]), {"a": [0.1, np.nan]}, "t", percent=True),
        lambda: plots.line_chart([], {}, "nothing"),
        lambda: plots.twin_line_chart([0, 1], ("rows", [1, 2]), ("buyers", [1, 1]), "t"),
        lambda: plots.bar_chart(["a", "b"], [np.nan, np.nan], "all undefined"),
        lambda: plots.bar_chart(["x" * 20] * 3, [1, 2, 3], "t", horizontal=True),
        lambda: plots.histogram_chart([1, 10], [10, 100], [1, 2], "t", log_x=True),
    ],
)
def test_charts_are_pngs_even_without_data(png):
    data = png()
    assert data.startswith(PNG)
    assert pngs(plots.markdown_image("t", data)) == [data]


# --- the assets ----------------------------------------------------------------------------------------------
TABLES = {
    "sales_over_time": ["weekday_profile", "spike_days", "weekly_sales"],
    "popularity_dynamics": ["coverage", "life_cycle"],
    "repurchase_behaviour": ["repurchase_by_week", "purchase_gaps"],
    "customer_overview": ["summary", "activity_distribution", "by_age_band", "by_postal_code_size"],
    "article_catalogue": [
        "catalogue", "by_index_group_name", "by_product_group_name", "by_colour_group_name", "price_distribution"],
}
CHARTS = {
    "sales_over_time": ["plot_daily_sales", "plot_channel_mix"],
    "popularity_dynamics": ["plot_coverage", "plot_life_cycle"],
    "repurchase_behaviour": ["plot_repurchase", "plot_purchase_gaps"],
    "customer_overview": ["plot_age", "plot_activity"],
    "article_catalogue": ["plot_index_group_name", "plot_product_group_name", "plot_colour_group_name", "plot_price"],
}


def explore(project) -> dict[str, dict]:
    result = dg.materialize(
        [*raw_assets.assets, *exploration_assets.assets], resources=project.defs().resources, instance=project.instance
    )
    assert result.success
    events = result.get_asset_materialization_events()
    return {
        e.asset_key.to_user_string(): {k: v.value for k, v in e.materialization.metadata.items()} for e in events
    }


def assert_tables_and_charts(meta: dict[str, dict]) -> None:
    for asset, tables in TABLES.items():
        for key in tables:
            assert re.search(r"^\|.*\|\n\|[-:|]+\|\n", meta[asset][key], re.M), (asset, key)
        for key in CHARTS[asset]:
            images = pngs(meta[asset][key])
            assert len(images) == 1 and images[0].startswith(PNG), (asset, key)
        assert meta[asset]["dagster/row_count"] > 0


def test_exploration_assets_render_tables_and_charts(project):
    meta = explore(project)
    assert_tables_and_charts(meta)
    # worked out from the conftest rows: week 2020-09-16, buyers c0, c1, c3 of 4 customers
    assert meta["popularity_dynamics"]["last_week"] == "2020-09-16"
    assert meta["customer_overview"]["week_buyer_share"] == pytest.approx(3 / 4)
    assert meta["customer_overview"]["dormant_4_weeks_share"] == 0.0
    assert meta["repurchase_behaviour"]["mean_exact_article"] == 0.2222  # (0 + 0 + 2/3) / 3, rounded for people
    assert meta["sales_over_time"]["rows"] == 9
    # one code shared by all 4 customers: the 2-5 band; c0, c1, c3 bought
    assert md_rows(meta["customer_overview"]["by_postal_code_size"])["2-5"] == ["1", "4", "3", "0.7500"]
    assert md_rows(meta["repurchase_behaviour"]["repurchase_by_week"])["2020-09-16"] == [
        "3", "0.6667", "0.0000", "0.6667", "1.0000"]


def test_exploration_survives_awkward_data(project):
    """No known ages, one postal code, one sales channel, one colour per product, a few months
    with empty weeks: everything still renders, undefined statistics as n/a."""
    project.settings = dataclasses.replace(project.settings, first_day=dt.date(2020, 6, 1))
    header = "customer_id,FN,Active,club_member_status,fashion_news_frequency,age,postal_code"
    project.write("customers.csv", "\n".join([header, *(f"{HEX[k]},,,ACTIVE,NONE,,{'f' * 64}" for k in "abcd")]) + "\n")
    rows = [("2020-06-03", "a", 1), ("2020-06-04", "b", 1), ("2020-06-05", "a", 2), ("2020-09-17", "c", 3)]
    project.write("transactions_train.csv", transactions_csv(rows).replace(",2\n", ",1\n"))
    meta = explore(project)
    assert_tables_and_charts(meta)
    summary = md_rows(meta["customer_overview"]["summary"])
    assert summary["age_mean"] == ["n/a"] and summary["age_missing_share"] == ["1.0000"]
    assert "age_mean" not in meta["customer_overview"]  # undefined numbers are not recorded
    assert summary["without_history_share"] == ["0.2500"]  # d never bought
    weekly = md_rows(meta["sales_over_time"]["weekly_sales"])
    assert weekly["2020-07-01"] == ["0", "0", "n/a", "n/a"]  # an empty week in between
    assert weekly["2020-06-03"] == ["3", "2", "1.5000", "0.0000"]  # channel 1 only
    assert "n/a" in meta["popularity_dynamics"]["life_cycle"]

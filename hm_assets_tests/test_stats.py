"""Statistics on a hand-built history, with every expected value worked out by hand.

Six customers (c0..c5), five articles; the scored week is 2020-09-16..22 (Wednesday..Tuesday).

    history                                   the week 2020-09-16..22
    r1 07-01 c0 A1 0.01 ch1                   w1 09-16 c0 A2 0.01 ch2   (A2: other colour of A1)
    r2 08-20 c1 A3 0.02 ch2                   w2 09-17 c1 A4 0.03 ch2   (c1 bought A4 before)
    r3 09-10 c1 A4 0.03 ch2                   w3 09-17 c1 A5 0.05 ch2
    r4 09-10 c1 A4 0.03 ch2  (= r3)           w4 09-18 c2 A3 0.02 ch1   (c2: first purchase)
    r5 08-25 c3 A3 0.02 ch1                   w5 09-18 c3 A3 0.02 ch1   (c3 bought A3 before)
    r6 09-12 c5 A5 0.05 ch2                   w6 09-18 c3 A3 0.02 ch1   (= w5)
    r7 09-13 c5 A4 0.03 ch1
c4 never buys. Ages 20, 25, -, 50, 52, 30; postal codes p1, p1, p2, p1, p3, p2.
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from hm_assets import columns as c
from hm_assets.recsys import stats

A1, A2, A3, A4, A5 = 100001001, 100001002, 100002001, 100003001, 100004001
WEEK = "2020-09-16"
ROWS = [
    ("2020-07-01", 0, A1, 0.01, 1),
    ("2020-08-20", 1, A3, 0.02, 2),
    ("2020-09-10", 1, A4, 0.03, 2),
    ("2020-09-10", 1, A4, 0.03, 2),
    ("2020-08-25", 3, A3, 0.02, 1),
    ("2020-09-12", 5, A5, 0.05, 2),
    ("2020-09-13", 5, A4, 0.03, 1),
    ("2020-09-16", 0, A2, 0.01, 2),
    ("2020-09-17", 1, A4, 0.03, 2),
    ("2020-09-17", 1, A5, 0.05, 2),
    ("2020-09-18", 2, A3, 0.02, 1),
    ("2020-09-18", 3, A3, 0.02, 1),
    ("2020-09-18", 3, A3, 0.02, 1),
]


def transactions(date_kind: str = "datetime") -> pd.DataFrame:
    day, cust, art, price, chan = zip(*ROWS)
    if date_kind == "datetime":
        t_dat = pd.to_datetime(pd.Series(day)).astype("datetime64[s]")
    elif date_kind == "date":
        t_dat = pd.Series([dt.date.fromisoformat(d) for d in day], dtype=object)
    else:  # Arrow date32, as pandas may hold warehouse columns
        t_dat = pd.Series([dt.date.fromisoformat(d) for d in day]).astype("date32[pyarrow]")
    return pd.DataFrame(
        {
            c.T_DAT: t_dat,
            c.CUSTOMER_ID: np.array(cust, dtype=np.int32),
            c.ARTICLE_ID: np.array(art, dtype=np.int32),
            c.PRICE: np.array(price, dtype=np.float32),
            c.SALES_CHANNEL_ID: np.array(chan, dtype=np.int8),
        }
    )


@pytest.fixture
def tx() -> pd.DataFrame:
    return transactions()


@pytest.fixture
def customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            c.CUSTOMER_ID: np.arange(6, dtype=np.int32),
            c.AGE: np.array([20, 25, np.nan, 50, 52, 30], dtype=np.float32),
            c.POSTAL_CODE: pd.Categorical(["p1", "p1", "p2", "p1", "p3", "p2"]),
        }
    )


@pytest.fixture
def articles() -> pd.DataFrame:
    return pd.DataFrame(
        {
            c.ARTICLE_ID: np.array([A1, A2, A3, A4, A5], dtype=np.int32),
            c.PRODUCT_CODE: np.array([100001, 100001, 100002, 100003, 100004], dtype=np.int32),
            c.INDEX_GROUP_NAME: pd.Categorical(["Ladieswear", "Ladieswear", "Divided", "Ladieswear", "Menswear"]),
            "detail_desc": ["a", None, "c", "d", "e"],
        }
    )


@pytest.mark.parametrize("date_kind", ["datetime", "date", "arrow"])
def test_date_dtypes_give_the_same_days(date_kind):
    days = stats.day_numbers(transactions(date_kind)[c.T_DAT])
    assert days[0] == (dt.date(2020, 7, 1) - dt.date(1970, 1, 1)).days
    np.testing.assert_array_equal(days, stats.day_numbers(transactions("datetime")[c.T_DAT]))
    assert stats.weekly_buyer_share(transactions(date_kind), pd.DataFrame({c.CUSTOMER_ID: range(6)}), WEEK) == pytest.approx(4 / 6)


def test_weekly_buyer_share(tx, customers):
    assert stats.weekly_buyer_share(tx, customers, WEEK) == pytest.approx(4 / 6)  # c0, c1, c2, c3
    assert stats.weekly_buyer_share(tx, customers, "2020-09-09") == pytest.approx(2 / 6)  # c1, c5


def test_basket_stats(tx):
    s = stats.basket_stats(tx, WEEK)
    assert (s["buyers"], s["rows"]) == (4, 6)
    assert s["rows_per_buyer"] == pytest.approx(1.5)  # 1, 2, 1, 2 rows
    assert s["rows_per_buyer_median"] == pytest.approx(1.5)
    assert s["articles_per_buyer"] == pytest.approx(1.25)  # 1, 2, 1, 1 distinct articles
    assert s["articles_per_buyer_median"] == pytest.approx(1.0)


def test_never_bought_and_inactive(tx, customers):
    assert stats.never_bought_share(tx, customers) == pytest.approx(1 / 6)  # c4
    assert stats.never_bought_share(tx, customers, before=WEEK) == pytest.approx(2 / 6)  # c2, c4
    # [2020-06-17, 2020-09-16): c0, c1, c3, c5 bought; c2 and c4 did not
    assert stats.inactive_share(tx, customers, WEEK) == pytest.approx(2 / 6)


def test_dormancy(tx, customers):
    d = stats.dormancy(tx, customers, WEEK, weeks=(1, 4, 12))
    assert d[1] == pytest.approx(4 / 6)  # only c1 (09-10) and c5 (09-12, 09-13) in [09-09, 09-16)
    assert d[4] == pytest.approx(3 / 6)  # + c3 (08-25)
    assert d[12] == pytest.approx(2 / 6)  # + c0 (07-01)


def test_buyer_recency(tx):
    r = stats.buyer_recency(tx, WEEK)
    assert r["with_history"] == pytest.approx(3 / 4)  # c2 is new
    assert r[1] == pytest.approx(1 / 3)  # c1 (09-10)
    assert r[4] == pytest.approx(2 / 3)  # c1, c3 (08-25)
    assert r[17] == pytest.approx(1.0)  # c0 (07-01) too


def test_exact_repurchase_share(tx):
    # pairs (c0,A2) (c1,A4) (c1,A5) (c2,A3) (c3,A3); bought before: (c1,A4) and (c3,A3)
    assert stats.exact_repurchase_share(tx, WEEK) == pytest.approx(2 / 5)


def test_rebuy_rate_last_active_days(tx):
    # last 3 active days: c0 {A1}, c1 {A3, A4}, c3 {A3}; re-bought: (c1,A4), (c3,A3)
    assert stats.rebuy_rate_last_active_days(tx, WEEK) == pytest.approx(2 / 4)
    # last active day only: c0 {A1}, c1 {A4}, c3 {A3}
    assert stats.rebuy_rate_last_active_days(tx, WEEK, active_days=1) == pytest.approx(2 / 3)


def test_other_colour_share(tx, articles):
    # only (c0, A2): c0 bought A1, the same product in another colour
    assert stats.other_colour_share(tx, articles, WEEK) == pytest.approx(1 / 5)


def test_previous_week_coverage(tx):
    # previous week's rows: A4 x3 (r3, r4, r7), A5 x1 (r6); the week has 6 rows, one A4 and one A5
    cov = stats.previous_week_top_coverage(tx, WEEK, ns=(1, 2))
    assert cov[1] == pytest.approx(1 / 6)
    assert cov[2] == pytest.approx(2 / 6)
    # by buyers: A4 (c1, c5) then A5 (c5); pairs with A4: 1 of 5, with A4 or A5: 2 of 5
    assert stats.previous_week_top_buyers_pair_coverage(tx, WEEK, n=1) == pytest.approx(1 / 5)
    assert stats.previous_week_top_buyers_pair_coverage(tx, WEEK, n=2) == pytest.approx(2 / 5)


def test_channel_duplicates_prices(tx):
    assert stats.channel_share(tx) == pytest.approx(7 / 13)
    assert stats.channel_share(tx, 2, start=WEEK) == pytest.approx(3 / 6)
    assert stats.channel_share(tx, 1, start="2020-09-09", end=WEEK) == pytest.approx(1 / 4)
    assert stats.duplicate_row_share(tx) == pytest.approx(2 / 13)  # r4 and w6
    p = stats.price_summary(tx)
    assert p["mean"] == pytest.approx(0.34 / 13, rel=1e-6)
    assert (p["median"], p["min"], p["max"]) == pytest.approx((0.02, 0.01, 0.05), rel=1e-6)
    assert stats.price_distribution(tx, quantiles=(0.5,)).loc[0.5] == pytest.approx(0.02, rel=1e-6)


def test_customer_summaries(customers):
    a = stats.age_summary(customers)
    assert a["mean"] == pytest.approx(177 / 5)
    assert a["missing_share"] == pytest.approx(1 / 6)
    assert (a["share_20_29"], a["share_45_54"]) == pytest.approx((2 / 5, 2 / 5))
    p = stats.postal_code_concentration(customers)
    assert (p["distinct"], p["largest_count"]) == (3, 3)
    assert p["largest_share"] == pytest.approx(0.5)
    assert p["codes_per_customer"] == pytest.approx(0.5)
    assert p["alone_share"] == pytest.approx(1 / 6)


def test_daily_sales(tx):
    d = stats.daily_sales(tx).set_index(c.T_DAT)
    assert len(d) == 9
    day = d.loc[pd.Timestamp("2020-09-18")]
    assert (day["rows"], day["buyers"], day["channel_2_share"]) == (3, 2, 0.0)
    assert d.loc[pd.Timestamp("2020-09-10"), "channel_2_share"] == 1.0


def test_article_life_cycle(tx):
    # only A3 is followed: first sold 08-20, at least 4 weeks after 07-01 and 2 weeks before 09-18
    lc = stats.article_life_cycle(tx, max_weeks=2)
    assert lc["rows"].tolist() == [2, 0]  # 08-20 and 08-25 in week 0; 09-18 is week 4
    assert lc["share"].tolist() == [1.0, 0.0]
    assert lc["articles"].iloc[0] == 1


def test_purchase_gaps(tx):
    # gaps between active days: c0 77, c1 21 and 7, c3 24, c5 1
    g = stats.purchase_gaps(tx).set_index("gap_days_upto")
    assert g["gaps"].to_dict() == {1: 1, 7: 1, 14: 0, 28: 2, 56: 0, 91: 1, 182: 0, 365: 0, np.inf: 0}
    assert g["cumulative_share"].loc[28] == pytest.approx(4 / 5)


def test_segment_summaries(tx, customers):
    ages = stats.age_band_summary(tx, customers, start=WEEK, bands=(16, 30, 100)).set_index("age_band")
    assert ages["customers"].to_dict() == {"16-29": 2, "30-99": 3, "unknown": 1}
    assert ages["buyers"].to_dict() == {"16-29": 2, "30-99": 1, "unknown": 1}
    assert ages["rows_per_buyer"].to_dict() == {"16-29": 1.5, "30-99": 2.0, "unknown": 1.0}
    assert ages.loc["30-99", "buyer_share"] == pytest.approx(1 / 3)
    postal = stats.postal_code_size_summary(tx, customers, start=WEEK).set_index("postal_code_size")
    assert postal.loc["1", ["codes", "customers", "buyers"]].tolist() == [1, 1, 0]  # p3: c4
    assert postal.loc["2-5", ["codes", "customers", "buyers"]].tolist() == [2, 5, 4]  # p1, p2
    assert postal.loc["2-5", "buyer_share"] == pytest.approx(0.8)


def test_article_counts(articles):
    counts = stats.article_counts(articles).set_index(c.INDEX_GROUP_NAME)
    assert counts["articles"].to_dict() == {"Ladieswear": 3, "Divided": 1, "Menswear": 1}
    assert counts.loc["Ladieswear", "share"] == pytest.approx(0.6)


def test_calibration_report(tx, customers, articles):
    report = stats.calibration_report(tx, customers, articles, WEEK).set_index("statistic")
    assert list(report.columns) == ["value", "target", "low", "high", "within"]
    assert report.loc["weekly_buyer_share", "value"] == pytest.approx(4 / 6)
    assert report.loc["exact_repurchase_share", "value"] == pytest.approx(2 / 5)
    assert report.loc["articles_per_product", "value"] == pytest.approx(5 / 4)
    assert report.loc["empty_detail_desc_share", "value"] == pytest.approx(1 / 5)
    within = (report["low"] <= report["value"]) & (report["value"] <= report["high"])
    assert (report["within"] == within).all()
    assert not report.loc["weekly_buyer_share", "within"]  # 67% of customers buying is no H&M week


def test_degenerate_data_gives_nan_not_errors(customers, articles):
    """An empty week, one channel, one postal code, no colour variants, a few days of data."""
    tx = transactions().iloc[:3]  # 07-01 and 08-20 only
    assert np.isnan(stats.exact_repurchase_share(tx, WEEK))
    assert np.isnan(stats.rebuy_rate_last_active_days(tx, WEEK))
    assert np.isnan(stats.other_colour_share(tx, articles, WEEK))
    assert np.isnan(stats.previous_week_top_coverage(tx, WEEK)[12])
    assert np.isnan(stats.buyer_recency(tx, WEEK)[4])
    assert stats.basket_stats(tx, WEEK)["buyers"] == 0
    assert stats.weekly_buyer_share(tx, customers, WEEK) == 0.0
    one_channel = transactions().assign(**{c.SALES_CHANNEL_ID: np.int8(1)})
    assert stats.channel_share(one_channel) == 0.0
    one_code = customers.assign(**{c.POSTAL_CODE: pd.Categorical(["p"] * 6)})
    assert stats.postal_code_concentration(one_code)["largest_share"] == 1.0
    single = articles.assign(**{c.PRODUCT_CODE: np.arange(5)})
    assert stats.other_colour_share(transactions(), single, WEEK) == 0.0
    no_age = customers.assign(**{c.AGE: np.nan})
    assert np.isnan(stats.age_summary(no_age)["mean"])
    assert stats.age_summary(no_age)["missing_share"] == 1.0
    report = stats.calibration_report(tx, customers, articles, WEEK)
    assert len(report) == len(stats.TARGETS)


def test_postal_size_bands_with_a_single_categorical_code():
    """Warehouse postal codes are categoricals; one shared code must land in its size band."""
    customers = pd.DataFrame(
        {"customer_id": np.arange(4, dtype=np.int32), "postal_code": pd.Categorical(["p"] * 4)}
    )
    tx = pd.DataFrame({"t_dat": pd.to_datetime(["2020-09-16"]), "customer_id": np.int32([0]),
                       "article_id": np.int32([1]), "price": np.float32([0.1]), "sales_channel_id": np.int8([2])})
    out = stats.postal_code_size_summary(tx, customers).set_index("postal_code_size")
    assert out.loc["2-5", ["codes", "customers", "buyers"]].tolist() == [1, 4, 1]
    assert out.loc["1", "customers"] == 0


def test_other_colour_share_when_no_buyer_has_history():
    articles = pd.DataFrame({"article_id": np.int32([1001, 1002]), "product_code": np.int32([1, 1])})
    tx = pd.DataFrame({"t_dat": pd.to_datetime(["2020-09-16"]), "customer_id": np.int32([0]),
                       "article_id": np.int32([1001]), "price": np.float32([0.1]), "sales_channel_id": np.int8([2])})
    assert stats.other_colour_share(tx, articles, "2020-09-16") == 0.0


def test_segment_popularity_lift_counts_only_other_customers():
    """Young band (20-24): c0, c1 buy in the week, c4 does not; old band (50-54): c2 buys, c5 does
    not; c6 has no age. Window: the 4 weeks before 2020-09-16.

    Non-buyers' window rows: c4 X X Z (young: X 2, Z 1), c5 Y Z Z (old: Z 2, Y 1); everyone: Z 3,
    X 2, Y 1. c1's own window rows (Y x5) and c4's rows before the window (Y x10) must not count.
    Week pairs: (c0 X), (c0 Z), (c1 X), (c2 Y), (c6 Z). Top-1: young X, old Z, everyone Z.
    Age bands score the four pairs of known ages: segment hits (c0 X), (c1 X) = 2/4; everyone's
    top hits (c0 Z) = 1/4; lift 2. One shared postal code: its top is everyone's, lift 1.
    """
    X, Y, Z = 100001001, 100002001, 100003001
    rows = ([("2020-09-10", 4, X)] * 2 + [("2020-09-10", 4, Z)] + [("2020-09-11", 5, Y)] + [("2020-09-11", 5, Z)] * 2
            + [("2020-09-12", 1, Y)] * 5 + [("2020-08-01", 4, Y)] * 10
            + [("2020-09-16", 0, X), ("2020-09-16", 0, Z), ("2020-09-17", 1, X), ("2020-09-18", 2, Y), ("2020-09-19", 6, Z)])
    day, cust, art = zip(*rows)
    tx = pd.DataFrame({c.T_DAT: pd.to_datetime(pd.Series(day)), c.CUSTOMER_ID: np.array(cust, dtype=np.int32),
                       c.ARTICLE_ID: np.array(art, dtype=np.int32), c.PRICE: np.float32(0.02), c.SALES_CHANNEL_ID: np.int8(2)})
    customers = pd.DataFrame({c.CUSTOMER_ID: np.arange(7, dtype=np.int32),
                              c.AGE: np.array([22, 23, 52, 53, 24, 51, np.nan], dtype=np.float32),
                              c.POSTAL_CODE: pd.Categorical(["p"] * 7)})
    age = stats.segment_popularity_lift(tx, customers, WEEK, "age_band", n=1, weeks=4)
    assert age == {"pairs": 4, "segment_hit": 0.5, "global_hit": 0.25, "lift": 2.0}
    postal = stats.segment_popularity_lift(tx, customers, WEEK, "postal_code", n=1, weeks=4)
    assert postal == {"pairs": 5, "segment_hit": 0.4, "global_hit": 0.4, "lift": 1.0}
    # with n = 2 the young band's top is X, Z and the old band's Z, Y: every pair hits
    assert stats.segment_popularity_lift(tx, customers, WEEK, "age_band", n=2, weeks=4)["segment_hit"] == 1.0
    with pytest.raises(ValueError, match="unknown segment kind 'region'"):
        stats.segment_popularity_lift(tx, customers, WEEK, "region")

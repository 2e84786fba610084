"""The synthetic generator: exact Kaggle formats, determinism, and calibrated behaviour.

``tiny`` is generated three times (two equal seeds, one other) for formats and determinism;
``small`` once, read back with the project's ingestion readers, for the calibrated statistics.
The tolerance bands are ``stats.TARGETS``, each with the published H&M value it brackets
(HM_FACTS.md): one list, shared with the generator's calibration report.
"""

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from hm_assets import calendar, schemas
from hm_assets import columns as c
from hm_assets.recsys import stats
from hm_assets.recsys.metrics import map_at_k
from hm_assets.synth import SCALES, generate
from hm_assets.synth.calibrate import load
from hm_assets.settings import HM_FIRST_DAY, HM_LAST_DAY
from hm_assets.synth.generator import REAL_DAYS, transactions_for

FILES = (schemas.ARTICLES_FILE, schemas.CUSTOMERS_FILE, schemas.TRANSACTIONS_FILE)
WEEK = "2020-09-16"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny")
    result = generate(out, scale="tiny", seed=0)
    return out, result


@pytest.fixture(scope="module")
def tiny_csv(tiny):
    out, _ = tiny
    text = {name: pd.read_csv(out / name, dtype=str, keep_default_na=False) for name in FILES}
    return text


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("small")
    generate(out, scale="small", seed=0)
    transactions, customers, articles = load(out)
    return transactions, customers, articles


# --- formats ------------------------------------------------------------------------------------
def test_headers_are_exactly_kaggle(tiny):
    out, _ = tiny
    for name in FILES:
        header = (out / name).read_text().split("\n", 1)[0]
        assert header.split(",") == schemas.CSV_SCHEMAS[name].names


def test_row_counts_match_the_scale(tiny, tiny_csv):
    _, result = tiny
    spec = SCALES["tiny"]
    assert len(tiny_csv[schemas.CUSTOMERS_FILE]) == result["n_customers"] == spec.customers
    assert len(tiny_csv[schemas.ARTICLES_FILE]) == result["n_articles"] == spec.articles
    assert len(tiny_csv[schemas.TRANSACTIONS_FILE]) == result["n_transactions"] == transactions_for(spec, 734)


def test_each_scale_plans_the_real_rows_per_customer_and_day():
    """Planned rows = H&M's 31,788,324 rows per 1,371,980 customers per 734 days, times the
    scale's customers and days (rounded): a smaller scale or a shorter range keeps the real rate."""
    assert calendar.day_count(HM_FIRST_DAY, HM_LAST_DAY) == REAL_DAYS == 734
    assert (SCALES["full"].customers, SCALES["full"].articles) == (1_371_980, 105_542)
    assert transactions_for(SCALES["full"], 734) == 31_788_324
    assert transactions_for(SCALES["full"], 367) == 15_894_162  # half the days, half the rows
    assert transactions_for(SCALES["full"], 733) == 31_745_016  # 31,788,324 * 733 / 734 = 31,745,015.7
    assert transactions_for(SCALES["medium"], 734) == 3_178_832  # 137,198 customers: a tenth
    assert transactions_for(SCALES["tiny"], 734) == 34_755  # 31,788,324 * 1,500 / 1,371,980 = 34,754.5
    assert transactions_for(SCALES["tiny"], 114) == 5_398  # 2020-06-01..09-22: 34,754.5 * 114 / 734 = 5,397.8


def test_customer_file_formats(tiny_csv):
    cu = tiny_csv[schemas.CUSTOMERS_FILE]
    assert cu[c.CUSTOMER_ID].str.fullmatch(r"[0-9a-f]{64}").all()
    assert cu[c.CUSTOMER_ID].is_unique and cu[c.CUSTOMER_ID].is_monotonic_increasing
    assert set(cu[c.FN]) <= {"", "1.0"} and set(cu[c.ACTIVE]) <= {"", "1.0"}
    assert set(cu[c.CLUB_MEMBER_STATUS]) <= {"ACTIVE", "PRE-CREATE", "LEFT CLUB", ""}
    assert set(cu[c.FASHION_NEWS_FREQUENCY]) <= {"NONE", "Regularly", "Monthly", "None", ""}
    ages = cu[c.AGE][cu[c.AGE] != ""]
    assert ages.str.fullmatch(r"\d{2}\.0").all()
    assert ages.astype(float).between(16, 99).all()
    assert (cu[c.AGE] == "").any()  # some ages are missing, as in the real file
    assert cu[c.POSTAL_CODE].str.fullmatch(r"[0-9a-f]{64}").all()
    assert cu[c.POSTAL_CODE].value_counts().iloc[0] > 0.05 * len(cu)  # one giant shared code


def test_article_file_formats(tiny_csv):
    ar = tiny_csv[schemas.ARTICLES_FILE]
    assert ar[c.ARTICLE_ID].str.fullmatch(r"0\d{9}").all()  # 9-digit ids, zero-padded to 10
    assert ar[c.PRODUCT_CODE].str.fullmatch(r"0\d{6}").all()
    ids, codes = ar[c.ARTICLE_ID].astype(int), ar[c.PRODUCT_CODE].astype(int)
    assert ids.is_unique and ids.is_monotonic_increasing
    assert (ids // 1000 == codes).all() and ((ids % 1000) >= 1).all()
    assert codes.between(100_000, 999_999).all()
    assert ar.groupby(c.PRODUCT_CODE).size().max() > 1  # products come in several colours
    # every code has exactly one name, as in the real file
    for code, name in [("product_code", "prod_name"), ("product_type_no", "product_type_name"),
                       ("graphical_appearance_no", "graphical_appearance_name"), ("colour_group_code", "colour_group_name"),
                       ("perceived_colour_value_id", "perceived_colour_value_name"),
                       ("perceived_colour_master_id", "perceived_colour_master_name"), ("department_no", "department_name"),
                       ("index_code", "index_name"), ("index_group_no", "index_group_name"), ("section_no", "section_name"),
                       ("garment_group_no", "garment_group_name")]:
        assert (ar.groupby(code)[name].nunique() == 1).all(), code
    assert set(ar[c.INDEX_CODE]) <= set("ABCDFGHIJS")
    assert set(ar[c.INDEX_GROUP_NAME]) <= {"Ladieswear", "Divided", "Menswear", "Baby/Children", "Sport"}
    described = ar[ar["detail_desc"] != ""]
    assert (described.groupby(c.PRODUCT_CODE)["detail_desc"].nunique() == 1).all()  # one text per product
    assert (ar["detail_desc"] == "").mean() < 0.02


def test_transaction_file_formats(tiny, tiny_csv):
    tr, cu, ar = (tiny_csv[n] for n in (schemas.TRANSACTIONS_FILE, schemas.CUSTOMERS_FILE, schemas.ARTICLES_FILE))
    assert tr[c.T_DAT].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert tr[c.T_DAT].is_monotonic_increasing
    assert (tr[c.T_DAT].min(), tr[c.T_DAT].max()) == ("2018-09-20", "2020-09-22")
    assert tr[c.CUSTOMER_ID].isin(cu[c.CUSTOMER_ID]).all()
    assert tr[c.ARTICLE_ID].str.fullmatch(r"0\d{9}").all() and tr[c.ARTICLE_ID].isin(ar[c.ARTICLE_ID]).all()
    assert tr[c.PRICE].str.fullmatch(r"0\.\d{16}").all()
    assert set(tr[c.SALES_CHANNEL_ID]) == {"1", "2"}
    out, _ = tiny
    raw = (out / schemas.TRANSACTIONS_FILE).read_bytes()
    assert raw.endswith(b"\n") and b"\r" not in raw and b'"' not in raw


def test_same_seed_gives_identical_files_other_seed_differs(tiny, tmp_path):
    out, _ = tiny
    generate(tmp_path / "again", scale="tiny", seed=0)
    for name in FILES:
        assert (tmp_path / "again" / name).read_bytes() == (out / name).read_bytes(), name
    generate(tmp_path / "other", scale="tiny", seed=1)
    assert (tmp_path / "other" / schemas.TRANSACTIONS_FILE).read_bytes() != (out / schemas.TRANSACTIONS_FILE).read_bytes()


def test_shorter_date_range_and_no_partial_files(tmp_path):
    result = generate(tmp_path, scale="tiny", seed=3, first_day=dt.date(2020, 6, 1), last_day=dt.date(2020, 9, 22))
    tr = pd.read_csv(result["transactions"], dtype=str)
    assert (tr[c.T_DAT].min(), tr[c.T_DAT].max()) == ("2020-06-01", "2020-09-22")
    assert len(tr) == result["n_transactions"] == transactions_for(SCALES["tiny"], 114)  # 30 + 31 + 31 + 22 days
    assert not list(tmp_path.glob("*.partial"))
    with pytest.raises(ValueError, match="unknown scale"):
        generate(tmp_path, scale="huge")


# --- calibrated behaviour on `small` ------------------------------------------------------------------
@pytest.fixture(scope="module")
def report(small):
    transactions, customers, articles = small
    return stats.calibration_report(transactions, customers, articles, WEEK).set_index("statistic")


@pytest.mark.parametrize("target", stats.TARGETS, ids=lambda t: t.statistic)
def test_small_is_calibrated(report, target):
    value = report.loc[target.statistic, "value"]
    assert target.low <= value <= target.high, f"{value:.4g} outside [{target.low:g}, {target.high:g}] (H&M: {target.target:.4g})"
    assert report.loc[target.statistic, "within"]


def test_daily_volume_has_summer_peak_and_promotion_spikes(small):
    transactions, _, _ = small
    daily = stats.daily_sales(transactions).set_index(c.T_DAT)["rows"]
    median = daily.median()
    assert daily.loc["2019-09-28"] > 2.5 * median  # the late-September event
    assert daily.loc["2019-11-29"] > 1.8 * median  # Black Friday
    summer = daily[(daily.index.month.isin([6, 7])) & (daily.index.year == 2019)].mean()
    spring = daily[(daily.index.month.isin([2, 3])) & (daily.index.year == 2019)].mean()
    assert summer > 1.2 * spring


def test_seasonality_and_life_cycle(small):
    transactions, _, articles = small
    kind = transactions[c.ARTICLE_ID].map(articles.set_index(c.ARTICLE_ID)[c.PRODUCT_GROUP_NAME].astype(str))
    month = transactions[c.T_DAT].dt.month
    swim = kind == "Swimwear"
    assert swim[month.isin([6, 7])].mean() > 3 * swim[month.isin([12, 1])].mean()
    life = stats.article_life_cycle(transactions, max_weeks=26)
    peak = int(life["rows"].idxmax())
    assert peak <= 6  # sales peak within weeks of the first sale ...
    assert life["rows"].iloc[20:].mean() < 0.5 * life["rows"].max()  # ... and then fade


def test_own_history_beats_popularity_on_the_last_week(small):
    """The reason recommenders work here: customers come back to what they bought."""
    transactions, _, _ = small
    week = pd.Timestamp(WEEK)
    history = transactions[transactions[c.T_DAT] < week]
    actual = transactions[transactions[c.T_DAT] >= week]
    buyers = actual[c.CUSTOMER_ID].unique()
    last = history[history[c.T_DAT] >= week - pd.Timedelta(days=7)]
    top = last[c.ARTICLE_ID].value_counts().index[:12].to_numpy()
    popular = pd.DataFrame({c.CUSTOMER_ID: np.repeat(buyers, 12), c.ARTICLE_ID: np.tile(top, len(buyers)),
                            c.RANK: np.tile(np.arange(12), len(buyers))})
    own = history[history[c.CUSTOMER_ID].isin(buyers)].sort_values(c.T_DAT, ascending=False)
    own = own.drop_duplicates([c.CUSTOMER_ID, c.ARTICLE_ID])
    own = own.assign(**{c.RANK: own.groupby(c.CUSTOMER_ID).cumcount()})
    mixed = pd.concat([own, popular.assign(**{c.RANK: popular[c.RANK] + 1000})])
    assert map_at_k(mixed, actual) > 1.5 * map_at_k(popular, actual) > 0


def test_ids_read_back_as_integers(small):
    """Readers that parse ids as integers see 9-digit article ids and 6-digit product codes."""
    transactions, customers, articles = small
    assert articles[c.ARTICLE_ID].between(100_000_000, 999_999_999).all()
    assert (articles[c.ARTICLE_ID] // 1000 == articles[c.PRODUCT_CODE]).all()
    assert transactions[c.CUSTOMER_ID].max() < len(customers)
    assert re.fullmatch(r"[0-9a-f]{64}", customers[c.CUSTOMER_HEX].iloc[0])

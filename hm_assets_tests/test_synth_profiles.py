"""Generator profiles and awkward-data options: each produces what it says, measured with the
project's own statistics (``hm_assets.recsys.stats``) and ingestion.

``grocery`` must flip the dominant signals of ``fashion``. Each band is checked on both, on the
same 18 weeks of ``small`` (seed 0, a few seconds each), so a measure that cannot tell the two
shops apart fails here. Bands are means over the last three weeks (~4,500 grocery buyers and
~1,350 fashion buyers a week).
"""

import dataclasses
import datetime as dt

import dagster as dg
import numpy as np
import pandas as pd
import pytest

from hm_assets import calendar, schemas
from hm_assets import columns as c
from hm_assets.definitions import RAW_JOB
from hm_assets.recsys import stats
from hm_assets.settings import HM_LAST_DAY, Settings
from hm_assets.synth import PROFILES, Profile, generate
from hm_assets.synth.calibrate import load
from hm_assets.synth.generator import SCALES, transactions_for
from hm_assets_tests.conftest import Project

WEEKS = ("2020-09-02", "2020-09-09", "2020-09-16")
GROCERY_WEEKS = PROFILES["grocery"].weeks


def _measure(folder) -> dict:
    transactions, customers, articles = load(folder)
    tx = stats.Tx.of(transactions)

    def mean(f):
        return float(np.mean([f(w) for w in WEEKS]))

    return {
        "transactions": transactions,
        "exact_repurchase": mean(lambda w: stats.exact_repurchase_share(tx, w)),
        "top12_coverage": mean(lambda w: stats.previous_week_top_coverage(tx, w, ns=(12,))[12]),
        "age_band_lift": mean(lambda w: stats.segment_popularity_lift(tx, customers, w, "age_band")["lift"]),
        "postal_code_lift": mean(lambda w: stats.segment_popularity_lift(tx, customers, w, "postal_code")["lift"]),
    }


@pytest.fixture(scope="module")
def grocery(tmp_path_factory):
    out = tmp_path_factory.mktemp("grocery")
    result = generate(out, scale="small", seed=0, profile="grocery")
    return result, _measure(out)


@pytest.fixture(scope="module")
def fashion(tmp_path_factory):
    """The default shop over the same 18 weeks: what grocery must differ from."""
    out = tmp_path_factory.mktemp("fashion")
    generate(out, scale="small", seed=0, weeks=GROCERY_WEEKS)
    return _measure(out)


# --- grocery flips the fashion signals ------------------------------------------------------------
def test_grocery_customers_rebuy_the_same_articles(grocery, fashion):
    # 30-50% of a week's (customer, article) pairs were bought by that customer before (H&M: 4%)
    assert 0.30 <= grocery[1]["exact_repurchase"] <= 0.50
    assert fashion["exact_repurchase"] < 0.10


def test_grocery_sales_concentrate_on_last_weeks_best_sellers(grocery, fashion):
    # the previous week's top-12 articles carry 10-40% of the next week's rows (H&M: 2.4%)
    assert 0.10 <= grocery[1]["top12_coverage"] <= 0.40
    assert fashion["top12_coverage"] < 0.05


def test_grocery_taste_has_no_age_or_postal_code_effect(grocery, fashion):
    # a segment's own best sellers predict its buyers no better than everyone's best sellers
    assert grocery[1]["age_band_lift"] <= 1.03
    assert grocery[1]["postal_code_lift"] <= 1.0
    # ... while in the fashion shop they do: the measure can tell
    assert fashion["age_band_lift"] > 1.1
    assert fashion["postal_code_lift"] > 1.3


def test_grocery_history_spans_its_weeks(grocery):
    result, measured = grocery
    days = measured["transactions"][c.T_DAT]
    first, last = days.min().date(), days.max().date()
    assert (first, last) == (result["first_day"], result["last_day"]) == (dt.date(2020, 5, 20), HM_LAST_DAY)
    assert first == calendar.week_start(first)  # whole Wednesday..Tuesday weeks
    assert len({calendar.week_start(d) for d in days.dt.date.unique()}) == GROCERY_WEEKS == 18
    n_days = (last - first).days + 1
    assert result["n_transactions"] == round(transactions_for(SCALES["small"], n_days) * PROFILES["grocery"].volume)


# --- awkward data ---------------------------------------------------------------------------------
AWKWARD = {"weeks": 10, "missing_age_share": 0.9, "n_postal_codes": 1, "channels": (1,)}


@pytest.fixture(scope="module")
def awkward(tmp_path_factory):
    """Tiny data with mostly missing ages, one postal code, one channel and ten weeks, ingested
    by the project's raw job as the demo does."""
    root = tmp_path_factory.mktemp("awkward")
    result = generate(root / "raw", scale="tiny", seed=0, **AWKWARD)
    settings = Settings(first_day=result["first_day"], last_day=result["last_day"], raw_dir=str(root / "raw"),
                        warehouse=str(root / "store"))
    project = Project(root, settings, dg.DagsterInstance.ephemeral())
    return result, project, project.run_job(RAW_JOB)


def test_awkward_options_produce_what_they_say(awkward):
    result, _, _ = awkward
    customers = pd.read_csv(result["customers"], dtype=str, keep_default_na=False)
    transactions = pd.read_csv(result["transactions"], dtype=str)
    missing = (customers[c.AGE] == "").mean()
    assert abs(missing - 0.9) < 0.03  # 1,500 customers: the binomial sd is 0.008
    assert customers[c.POSTAL_CODE].nunique() == 1
    assert set(transactions[c.SALES_CHANNEL_ID]) == {"1"}
    weeks = {calendar.week_start(d) for d in pd.to_datetime(transactions[c.T_DAT].unique()).date}
    assert len(weeks) == 10 and min(weeks) == dt.date(2020, 7, 15) == result["first_day"]
    assert transactions[c.T_DAT].max() == "2020-09-22"


def test_awkward_files_pass_ingestion(awkward):
    result, project, run = awkward
    assert run.success
    checks = run.get_asset_check_evaluations()
    assert checks and all(check.passed for check in checks if check.blocking)
    stored = project.stored("transactions")
    assert len(stored) == result["n_transactions"] > 0
    assert project.stored("customers")[c.AGE].isna().mean() > 0.85


def test_sparse_profile_is_the_awkward_options(tmp_path):
    sparse = PROFILES["sparse"]
    assert (sparse.weeks, sparse.missing_age_share, sparse.n_postal_codes, sparse.channels) == (10, 0.9, 1, (2,))
    result = generate(tmp_path, scale="tiny", seed=0, profile="sparse")
    transactions = pd.read_csv(result["transactions"], dtype=str)
    customers = pd.read_csv(result["customers"], dtype=str, keep_default_na=False)
    assert set(transactions[c.SALES_CHANNEL_ID]) == {"2"} and customers[c.POSTAL_CODE].nunique() == 1
    assert result["first_day"] == dt.date(2020, 7, 15) and result["profile"] == "sparse"


# --- the default stays the default ----------------------------------------------------------------
def test_fashion_profile_spelled_out_writes_the_default_files(tmp_path):
    """Options equal to the defaults change no byte (here on 4 weeks of tiny, for speed)."""
    first = dt.date(2020, 8, 26)
    generate(tmp_path / "default", scale="tiny", seed=5, first_day=first)
    explicit = dataclasses.replace(PROFILES["fashion"], channels=(2, 1))
    generate(tmp_path / "explicit", scale="tiny", seed=5, first_day=first, profile=explicit, age_effect=1.0)
    for name in (schemas.ARTICLES_FILE, schemas.CUSTOMERS_FILE, schemas.TRANSACTIONS_FILE):
        assert (tmp_path / "explicit" / name).read_bytes() == (tmp_path / "default" / name).read_bytes(), name


def test_bad_profile_or_option_fails_clearly(tmp_path):
    with pytest.raises(ValueError, match="unknown profile 'bakery'"):
        generate(tmp_path, scale="tiny", profile="bakery")
    with pytest.raises(ValueError, match=r"unknown generator option\(s\) \['postcodes'\]"):
        generate(tmp_path, scale="tiny", postcodes=1)
    with pytest.raises(ValueError, match="either first_day"):
        generate(tmp_path, scale="tiny", first_day=dt.date(2020, 9, 1), weeks=3)
    with pytest.raises(ValueError, match="channels must be a non-empty subset"):
        Profile(channels=(3,))
    with pytest.raises(ValueError, match="missing_age_share must lie in"):
        generate(tmp_path, scale="tiny", missing_age_share=1.5)
    assert not list(tmp_path.iterdir())  # nothing written before the options were checked

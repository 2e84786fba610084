"""Feature tables: hand-worked values, edge cases, leakage, and the Dagster wiring.

The tiny history (feature_data.py), week W = 2020-09-16, days before W in brackets:
c0: A 08-19 [28], A 09-01 [15], A 09-08 [8], B 09-15 [1]; c1: C 09-10 [6], A 09-15 [1] x2;
c2: D 09-12 [4]; c3: nothing. E never sold.
"""

import numpy as np
import pandas as pd
import pytest

from hm_assets.recsys import features as f
from hm_assets_tests import feature_data as fd
from hm_assets_tests.feature_data import A, B, C, D, E, W


def _customer_features(rows=fd.ROWS, week=W):
    return f.compute_customer_features(fd.history(rows), fd.customers(), fd.articles(), week).set_index("customer_id")


def _article_features(rows=fd.ROWS, week=W):
    return f.compute_article_features(fd.history(rows), fd.articles(), fd.customers(), week).set_index("article_id")


PAIRS = pd.DataFrame({"customer_id": np.int32([0, 1, 3, 0, 2, 0]), "article_id": np.int32([A, A, A, E, C, B])})


def _pair_features(rows=fd.ROWS, week=W, pairs=PAIRS):
    return f.compute_pair_features(pairs, fd.history(rows), fd.articles(), week)


# --- customer features ----------------------------------------------------------------------------
def test_customer_windows_recency_and_spend_by_hand():
    t = _customer_features()
    c0 = t.loc[0]
    assert [c0[f"c_n_{w}w"] for w in (1, 2, 4, 12, 52)] == [1, 2, 4, 4, 4]
    assert [c0[f"c_days_{w}w"] for w in (1, 2, 4)] == [1, 2, 4]
    assert c0["c_spend_2w"] == pytest.approx(0.05) and c0["c_spend_4w"] == pytest.approx(0.07)
    assert (c0["c_days_since_last"], c0["c_days_since_first"], c0["c_weeks_active"]) == (1, 28, 4)
    assert c0["c_online_share"] == pytest.approx(3 / 4) and c0["c_mean_price"] == pytest.approx(0.0175)
    assert c0["c_share_index_group_ladieswear"] == 1 and c0["c_share_product_group_upper"] == 1
    c1 = t.loc[1]  # two units of A on one day count twice in c_n, once in c_days
    assert (c1["c_n_1w"], c1["c_days_1w"], c1["c_weeks_active"]) == (3, 2, 1)
    assert c1["c_spend_1w"] == pytest.approx(0.09) and c1["c_days_since_first"] == 6
    assert c1["c_share_index_group_menswear"] == pytest.approx(1 / 3)
    assert c1["c_online_share"] == pytest.approx(2 / 3)


def test_customer_profile_fields():
    t = _customer_features()
    assert t["c_age"].tolist()[:2] == [22, 50] and np.isnan(t.loc[2, "c_age"])
    assert t["c_age_band"].tolist() == [1, 7, -1, 3]
    assert t["c_postal_customers"].tolist() == [3, 3, 1, 3]
    assert t.loc[2, "c_club_member_status"] == -1 and t.loc[3, "c_fashion_news_frequency"] == -1


def test_customer_with_no_history_has_zero_counts_and_no_recency():
    c3 = _customer_features().loc[3]
    assert all(c3[f"c_n_{w}w"] == 0 and c3[f"c_spend_{w}w"] == 0 for w in f.CUSTOMER_WINDOWS)
    assert c3["c_weeks_active"] == 0 and c3["c_n_all"] == 0
    assert np.isnan(c3[["c_days_since_last", "c_days_since_first", "c_online_share", "c_mean_price"]].to_numpy()).all()


def test_customer_table_shape_and_dtypes():
    t = f.compute_customer_features(fd.history(), fd.customers(), fd.articles(), W)
    assert t["customer_id"].tolist() == [0, 1, 2, 3] and t["customer_id"].dtype == np.int32
    assert f.feature_table_problems(t, "customer_id", np.arange(4), "c_") == []
    floats = [col for col in t.columns if col.startswith("c_") and col not in f.CATEGORICAL_FEATURES]
    assert all(t[col].dtype == np.float32 for col in floats)


# --- article features -----------------------------------------------------------------------------
def test_article_sales_buyers_trend_by_hand():
    a = _article_features().loc[A]
    assert [a[f"a_sales_{w}w"] for w in (1, 2, 4, 12)] == [2, 3, 5, 5]
    # buyers by their last purchase: c1 (09-15) in week 1, c0 (09-08) from 2 weeks on
    assert [a[f"a_buyers_{w}w"] for w in (1, 2, 4)] == [1, 2, 2]
    assert a["a_trend"] == pytest.approx((2 + 1) / (1 + 1))
    assert (a["a_days_since_first_sale"], a["a_days_since_last_sale"]) == (28, 1)


def test_article_price_age_repurchase_channel_by_hand():
    a = _article_features().loc[A]
    assert a["a_price_mean"] == pytest.approx(0.016)
    assert (a["a_price_min"], a["a_price_max"]) == (pytest.approx(0.01), pytest.approx(0.02))
    assert a["a_price_last"] == pytest.approx(0.02) and a["a_price_ratio"] == pytest.approx(1.25)
    assert a["a_buyer_age_mean"] == 36 and a["a_buyer_age_std"] == 14
    assert a["a_repurchase_rate"] == 0.5  # c0 on three days, c1 on one
    assert a["a_online_share"] == 1
    d = _article_features().loc[D]  # its only buyer's age is unknown
    assert np.isnan(d["a_buyer_age_mean"]) and d["a_sales_1w"] == 1


def test_article_never_sold_and_attributes():
    t = _article_features()
    e = t.loc[E]
    assert e["a_sales_12w"] == 0 and e["a_buyers_all"] == 0 and e["a_trend"] == 1
    assert np.isnan(e[["a_days_since_last_sale", "a_price_mean", "a_price_last", "a_repurchase_rate"]].to_numpy()).all()
    assert t["a_product_code"].tolist() == [101, 101, 102, 103, 104]
    assert t["a_index_code"].tolist() == [0, 0, 1, 1, 1]
    assert set(f.CATEGORICAL_FEATURES) >= {"a_product_type_no", "a_department_no", "a_index_code", "c_age_band"}


def test_empty_week_just_before_w():
    """W = 09-23 knowing only rows before 09-16: the week before W is empty."""
    a = _article_features(week="2020-09-23").loc[A]
    assert a["a_sales_1w"] == 0 and a["a_sales_2w"] == 2 and a["a_trend"] == pytest.approx(1 / 3)
    assert a["a_days_since_last_sale"] == 8
    c0 = _customer_features(week="2020-09-23").loc[0]
    assert c0["c_n_1w"] == 0 and c0["c_n_2w"] == 1 and c0["c_days_since_last"] == 8


def test_first_week_has_no_history():
    t = f.compute_customer_features(fd.history([]), fd.customers(), fd.articles(), W)
    assert len(t) == 4 and (t["c_n_52w"] == 0).all() and t["c_days_since_last"].isna().all()
    a = f.compute_article_features(fd.history([]), fd.articles(), fd.customers(), W)
    assert len(a) == 5 and (a["a_sales_all"] == 0).all()
    p = f.compute_pair_features(PAIRS, fd.history([]), fd.articles(), W)
    assert (p["p_article_n"] == 0).all() and p["p_article_days_since"].isna().all()


# --- pair features --------------------------------------------------------------------------------
def test_pair_counts_recency_and_repeat_timing_by_hand():
    p = _pair_features()
    c0a = p.iloc[0]
    assert (c0a["p_article_n"], c0a["p_article_days"], c0a["p_article_days_since"]) == (3, 3, 8)
    assert c0a["p_article_repeat_interval"] == 10  # (09-08 - 08-19) / 2 gaps
    assert c0a["p_article_since_over_interval"] == pytest.approx(0.8)
    assert c0a["p_article_decayed"] == pytest.approx(0.5 ** (28 / 14) + 0.5 ** (15 / 14) + 0.5 ** (8 / 14), rel=1e-6)
    assert (c0a["p_product_n"], c0a["p_product_days_since"], c0a["p_product_repeat_interval"]) == (4, 1, 9)
    assert c0a["p_colour_n"] == 3  # B has another colour
    c1a = p.iloc[1]  # two units on one day: one purchase day, no interval
    assert (c1a["p_article_n"], c1a["p_article_days"]) == (2, 1) and np.isnan(c1a["p_article_repeat_interval"])


def test_pair_category_levels_and_unbought():
    p = _pair_features()
    c2c = p.iloc[4]  # c2 bought D: same type, department and colour as C, another product
    assert (c2c["p_product_n"], c2c["p_type_n"], c2c["p_department_n"], c2c["p_colour_n"]) == (0, 1, 1, 1)
    assert c2c["p_type_days_since"] == 4 and np.isnan(c2c["p_product_days_since"])
    for row in (p.iloc[2], p.iloc[3]):  # c3 has no history; E was never sold
        assert row["p_article_n"] == 0 and row["p_type_n"] == 0 and np.isnan(row["p_article_days_since"])


def test_pair_output_contract_and_order():
    shuffled = PAIRS.iloc[[5, 2, 0, 4, 1, 3]].set_index(pd.Index([10, 11, 12, 13, 14, 15]))
    p = _pair_features(pairs=shuffled)
    assert list(p.columns) == list(f.PAIR_COLUMNS) and all(col.startswith("p_") for col in p.columns)
    assert (p.dtypes == np.float32).all() and list(p.index) == [10, 11, 12, 13, 14, 15]
    expected = _pair_features().iloc[[5, 2, 0, 4, 1, 3]].set_index(shuffled.index)
    pd.testing.assert_frame_equal(p, expected)


def test_pair_features_do_not_depend_on_other_customers():
    hist = fd.random_history()
    rng = np.random.default_rng(3)
    pairs = pd.DataFrame({"customer_id": rng.integers(0, 40, 300).astype(np.int32),
                          "article_id": rng.choice(np.int32([A, B, C, D, E]), 300)})
    full = f.compute_pair_features(pairs, hist, fd.articles(), "2020-09-23")
    mine = pairs["customer_id"] < 10
    alone = f.compute_pair_features(pairs[mine], hist, fd.articles(), "2020-09-23")
    pd.testing.assert_frame_equal(alone, full[mine.to_numpy()])


def test_unknown_article_is_a_clear_error():
    bad = pd.DataFrame({"customer_id": np.int32([0]), "article_id": np.int32([999])})
    with pytest.raises(ValueError, match="pairs article_id.*999"):
        f.compute_pair_features(bad, fd.history(), fd.articles(), W)
    with pytest.raises(ValueError, match="history is missing columns.*price"):
        f.compute_customer_features(fd.history().drop(columns="price"), fd.customers(), fd.articles(), W)


# --- leakage --------------------------------------------------------------------------------------
@pytest.mark.parametrize("week", ["2020-07-01", "2020-07-08", "2020-08-12", "2020-09-16", "2020-09-23"])
def test_no_table_sees_week_w_or_later(week):
    """First week with data (07-01), later weeks, the last known week and the target week: each
    table from the full history equals the one from the history cut at W's start."""
    full = fd.random_history()
    assert full["t_dat"].min() >= pd.Timestamp("2020-07-01")
    cut = full[full["t_dat"] < pd.Timestamp(week)]
    cust, arts = fd.random_customers(), fd.articles()
    pd.testing.assert_frame_equal(f.compute_customer_features(full, cust, arts, week),
                                  f.compute_customer_features(cut, cust, arts, week))
    pd.testing.assert_frame_equal(f.compute_article_features(full, arts, cust, week),
                                  f.compute_article_features(cut, arts, cust, week))
    pairs = pd.DataFrame({"customer_id": np.repeat(np.arange(40, dtype=np.int32), 5),
                          "article_id": np.tile(np.int32([A, B, C, D, E]), 40)})
    pd.testing.assert_frame_equal(f.compute_pair_features(pairs, full, arts, week),
                                  f.compute_pair_features(pairs, cut, arts, week))


def test_rows_on_or_after_w_change_nothing_on_the_hand_built_history():
    more = fd.ROWS + fd.LATER
    pd.testing.assert_frame_equal(_customer_features(more), _customer_features())
    pd.testing.assert_frame_equal(_article_features(more), _article_features())
    pd.testing.assert_frame_equal(_pair_features(more), _pair_features())


def test_pair_blocks_give_the_same_answer(monkeypatch):
    """Pairs are processed in blocks of whole customers; block size changes nothing."""
    hist = fd.random_history(seed=5)
    rng = np.random.default_rng(6)
    pairs = pd.DataFrame({"customer_id": rng.integers(0, 40, 500).astype(np.int32),
                          "article_id": rng.choice(np.int32([A, B, C, D, E]), 500)})
    whole = f.compute_pair_features(pairs, hist, fd.articles(), "2020-09-23")
    monkeypatch.setattr(f, "PAIR_CHUNK", 7)
    pd.testing.assert_frame_equal(f.compute_pair_features(pairs, hist, fd.articles(), "2020-09-23"), whole)
    ordered = pairs.sort_values("customer_id", kind="stable")
    pd.testing.assert_frame_equal(f.compute_pair_features(ordered, hist, fd.articles(), "2020-09-23"), whole.loc[ordered.index])


def test_a_prepared_pair_table_gives_the_same_features_chunk_by_chunk():
    """candidate_features prepares the history once and calls the table per customer chunk."""
    hist = fd.random_history(seed=7)
    rng = np.random.default_rng(8)
    pairs = pd.DataFrame({"customer_id": np.sort(rng.integers(0, 40, 400)).astype(np.int32),
                          "article_id": rng.choice(np.int32([A, B, C, D, E]), 400)})
    whole = f.compute_pair_features(pairs, hist, fd.articles(), "2020-09-16")
    table = f.PairFeatureTable(hist, fd.articles(), "2020-09-16")
    cut = int(np.searchsorted(pairs["customer_id"].to_numpy(), 20))
    chunks = pd.concat([table(pairs.iloc[:cut]), table(pairs.iloc[cut:]), table(pairs.iloc[:cut])])
    pd.testing.assert_frame_equal(chunks.iloc[:len(pairs)], whole)
    pd.testing.assert_frame_equal(chunks.iloc[len(pairs):], whole.iloc[:cut])  # calling it changes nothing
    assert (whole["p_article_n"] > 0).any()


# --- Dagster wiring -------------------------------------------------------------------------------
def _run_assets(project, assets: list[str], week: str, config: dict | None = None):
    import dagster as dg

    from hm_assets.definitions import WEEKLY_JOB

    job = project.defs().resolve_job_def(WEEKLY_JOB)
    run_config = {"ops": {name: {"config": cfg} for name, cfg in (config or {}).items()}}
    return job.execute_in_process(
        instance=project.instance, partition_key=week, asset_selection=[dg.AssetKey(a) for a in assets],
        run_config=run_config,
    )


def test_each_feature_asset_opens_only_the_week_files_it_needs(project, monkeypatch):
    """Transactions weeks: 08-26, 09-02, 09-09, 09-16 (the held-out week), 09-23."""
    from hm_assets.definitions import RAW_JOB
    from hm_assets.io.storage import ParquetHandle

    assert project.run_job(RAW_JOB).success
    opened: list[str] = []
    read = ParquetHandle.read

    def observed(self, columns=None, filter=None):
        opened.extend(p.name for p in self.files.values() if p.parent.parent.name == "transactions")
        return read(self, columns, filter)

    monkeypatch.setattr(ParquetHandle, "read", observed)
    cases = [
        ("customer_features", {"history_weeks": 2}, ["2020-09-02.parquet", "2020-09-09.parquet"]),
        ("article_features", {}, ["2020-08-26.parquet", "2020-09-02.parquet", "2020-09-09.parquet"]),
        ("segment_popularity", {"weeks": 1}, ["2020-09-09.parquet"]),
    ]
    for asset, config, expected in cases:
        opened.clear()
        assert _run_assets(project, [asset], "2020-09-16", {asset: config}).success
        assert opened == expected, asset


def test_one_more_week_recomputes_nothing_else_and_shows_metadata(project):
    import dagster as dg

    from hm_assets.definitions import RAW_JOB
    from hm_assets.runs import materializations

    assert project.run_job(RAW_JOB).success
    assets = ["customer_features", "article_features", "segment_popularity"]
    first = _run_assets(project, assets, "2020-09-16")
    stored = {a: sorted((project.root / "store" / "warehouse" / a).iterdir()) for a in assets}
    stamps = {a: [p.stat().st_mtime_ns for p in files] for a, files in stored.items()}
    second = _run_assets(project, assets, "2020-09-23")
    assert {e.partition for e in second.get_asset_materialization_events()} == {"2020-09-23"}
    for a in assets:
        assert [p.stat().st_mtime_ns for p in stored[a]] == stamps[a]  # 09-16 left alone
        records = project.instance.fetch_materializations(dg.AssetKey(a), limit=10).records
        assert sorted(r.partition_key for r in records) == ["2020-09-16", "2020-09-23"]
    meta = materializations(first)
    assert meta["customer_features"]["rows"] == 4 and meta["article_features"]["rows"] == 14
    assert meta["customer_features"]["columns"] == meta["customer_features"]["dagster/column_schema"].columns.__len__()
    summary = meta["customer_features"]["summary"]
    assert summary.startswith("| feature") and "| c_n_1w" in summary and "missing" in summary
    assert "| a_sales_1w" in meta["article_features"]["summary"]
    checks = {c.check_name: c.passed for c in first.get_asset_check_evaluations()}
    assert checks == {"one_row_per_customer": True, "one_row_per_article": True}


def test_feature_table_problems_name_what_is_wrong():
    t = f.compute_customer_features(fd.history(), fd.customers(), fd.articles(), W)
    bad = pd.concat([t, t.iloc[[0]]], ignore_index=True).drop(index=3)
    problems = f.feature_table_problems(bad, "customer_id", np.arange(4), "c_")
    assert any("repeated customer_id" in p and "[0]" in p for p in problems)
    assert any("without a row" in p and "[3]" in p for p in problems)
    assert f.feature_table_problems(t.assign(x=1.0), "customer_id", np.arange(4), "c_") == ["columns not prefixed 'c_': ['x']"]
    # the ids in the expected order (no set difference computed), in another order, or with one unknown
    assert f.feature_table_problems(t, "customer_id", np.arange(4), "c_") == []
    assert f.feature_table_problems(t.iloc[[2, 0, 3, 1]], "customer_id", np.arange(4), "c_") == []
    unknown = t.assign(customer_id=np.int32([0, 1, 2, 9]))
    assert f.feature_table_problems(unknown, "customer_id", np.arange(4), "c_") == [
        "1 customer_ids without a row, e.g. [3]", "1 rows for unknown customer_ids, e.g. [9]"]
    twice = pd.concat([t, t.iloc[[0]]], ignore_index=True)
    assert f.feature_table_problems(twice, "customer_id", twice["customer_id"].to_numpy(), "c_") == [
        "2 rows with a repeated customer_id, e.g. [0]"]


def test_dense_index_positions_in_table_order():
    universe = np.int32([70, 10, 50, 30])
    assert f._dense_index(np.int32([50, 70, 30, 50]), universe, "x").tolist() == [2, 0, 3, 2]
    assert f._dense_index(np.int32([2, 0]), np.arange(4), "x").tolist() == [2, 0]  # ids that are positions
    assert f._dense_index(np.int32([30]), np.int32([30, 10, 30]), "x").tolist() == [0]  # a repeated id: its first row
    with pytest.raises(ValueError, match="x: ids not in the table, e.g. \\[20\\]"):
        f._dense_index(np.int32([10, 20]), universe, "x")


def test_article_and_week_blocks_give_the_same_answer(monkeypatch):
    """Buyers are counted per article-id range and sales per block of weeks; sizes change nothing."""
    hist, cust, arts = fd.random_history(seed=7), fd.random_customers(), fd.articles()
    monkeypatch.setattr(f, "ARTICLE_BLOCKS", 1)
    monkeypatch.setattr(f, "CHUNK_WEEKS", 52)
    one = f.compute_article_features(hist, arts, cust, "2020-09-23")
    one_c = f.compute_customer_features(hist, cust, arts, "2020-09-23")
    monkeypatch.setattr(f, "ARTICLE_BLOCKS", 4)
    monkeypatch.setattr(f, "CHUNK_WEEKS", 1)
    pd.testing.assert_frame_equal(f.compute_article_features(hist, arts, cust, "2020-09-23"), one, rtol=1e-6)
    pd.testing.assert_frame_equal(f.compute_customer_features(hist, cust, arts, "2020-09-23"), one_c, rtol=1e-6)
    assert one["a_buyers_all"].iloc[:4].gt(0).all() and one["a_buyers_all"].iloc[4] == 0

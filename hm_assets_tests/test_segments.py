"""Segments and segment popularity: hand-worked scores, shrinkage, edge cases, leakage."""

import numpy as np
import pandas as pd
import pytest

from hm_assets.recsys import segments as s
from hm_assets_tests import feature_data as fd
from hm_assets_tests.feature_data import A, B, C, D, W


def test_age_bands():
    ages = [np.nan, 15, 19.9, 20, 24, 25, 59, 60, 64, 65, 99]
    assert s.age_band(ages).tolist() == [-1, 0, 0, 1, 1, 2, 8, 9, 9, 10, 10]
    assert s.age_band(ages).dtype == np.int8


def test_customer_segments():
    seg = s.customer_segments(fd.customers(postal=("x", "x", None, "y")))
    assert seg.dtypes.to_dict() == {"customer_id": np.int32, "age_band": np.int8, "postal": np.int32}
    assert seg["age_band"].tolist() == [1, 7, -1, 3]
    assert seg["postal"].tolist() == [0, 0, -1, 1]


def _popularity(rows=fd.ROWS, customers=None, **kw):
    kw = {"weeks": 1, "top_n": 3, "prior": 1.0, **kw}
    return s.compute_segment_popularity(fd.history(rows), fd.customers() if customers is None else customers, W, **kw)


def _ranking(pop, kind, segment):
    part = pop[(pop["segment_kind"] == kind) & (pop["segment"] == segment)].sort_values("rank")
    return part["article_id"].tolist(), part["score"].to_numpy(np.float64)


def test_scores_by_hand():
    """Last week [09-09, 09-16): pairs (c0,B) 1 day ago, (c1,A) 1 day, (c1,C) 6 days, (c2,D) 4 days."""
    w1, w6, w4 = 0.5 ** (1 / 7), 0.5 ** (6 / 7), 0.5 ** (4 / 7)
    total = 2 * w1 + w6 + w4
    p = {A: w1 / total, B: w1 / total, C: w6 / total, D: w4 / total}
    pop = _popularity(top_n=4)
    # age band 7 = c1 alone, prior 1: (n_sa + p_a) / (n_s + 1)
    arts, scores = _ranking(pop, "age_band", 7)
    n_s = w1 + w6
    expected = {a: ((w1 if a == A else w6 if a == C else 0) + p[a]) / (n_s + 1) for a in p}
    assert arts == sorted(expected, key=lambda a: (-expected[a], a))
    np.testing.assert_allclose(scores, [expected[a] for a in arts], rtol=1e-6)
    # age band 3 (c3) bought nothing: the global ranking, ties to the lower id
    arts, scores = _ranking(pop, "age_band", 3)
    assert arts == [A, B, D, C]
    np.testing.assert_allclose(scores, [p[A], p[B], p[D], p[C]], rtol=1e-6)
    assert pop["rank"].dtype == np.int16 and pop["score"].dtype == np.float32
    assert list(pop["segment_kind"].cat.categories) == ["age_band", "postal_code"]


def test_window_and_top_n():
    pop = _popularity(top_n=2, weeks=4)
    assert pop.groupby(["segment_kind", "segment"], observed=True).size().max() == 2
    # c0 (band 1) bought A 8 days and B 1 day before W: A is inside a 2-week window only
    w1, w8 = 0.5 ** (1 / 7), 0.5 ** (8 / 7)
    two = _popularity(top_n=4, weeks=2, prior=1e-9)
    arts, scores = _ranking(two, "age_band", 1)
    assert arts[:2] == [B, A] and scores[1] == pytest.approx(w8 / (w1 + w8), rel=1e-6)
    arts, scores = _ranking(_popularity(top_n=4, weeks=1, prior=1e-9), "age_band", 1)
    assert arts[0] == B and scores[arts.index(A)] < 1e-6


def test_small_segments_lean_on_global_popularity():
    """c2 (postal y) bought only D; a strong prior pulls y toward the global list."""
    weak = _ranking(_popularity(prior=0.01, top_n=4), "postal_code", 1)[0]
    strong = _ranking(_popularity(prior=1000.0, top_n=4), "postal_code", 1)[0]
    assert weak[0] == D
    assert strong == _ranking(_popularity(prior=1000.0, top_n=4), "age_band", 3)[0]  # c3's: global


def test_all_ages_missing_is_one_segment_with_global_popularity():
    pop = _popularity(customers=fd.customers(ages=(np.nan,) * 4), top_n=4)
    ages = pop[pop["segment_kind"] == "age_band"]
    assert ages["segment"].unique().tolist() == [-1]
    arts, _ = _ranking(pop, "age_band", -1)
    assert arts == [A, B, D, C]  # by decayed buyers: A, B (1 day), D (4), C (6)


def test_one_postal_code_is_global_popularity():
    pop = _popularity(customers=fd.customers(postal=("z",) * 4), top_n=4)
    postal = pop[pop["segment_kind"] == "postal_code"]
    assert postal["segment"].unique().tolist() == [0]
    assert _ranking(pop, "postal_code", 0)[0] == [A, B, D, C]


def test_empty_history_and_empty_week():
    pop = s.compute_segment_popularity(fd.history([]), fd.customers(), W)
    assert len(pop) == 0 and pop["rank"].dtype == np.int16
    # the week before 09-23 is empty: one week's window sees nothing
    pop = s.compute_segment_popularity(fd.history(), fd.customers(), "2020-09-23", weeks=1)
    assert len(pop) == 0


def test_no_purchase_on_or_after_w_counts():
    full = fd.random_history()
    cust = fd.random_customers()
    for week in ("2020-07-01", "2020-08-12", "2020-09-16", "2020-09-23"):
        cut = full[full["t_dat"] < pd.Timestamp(week)]
        pd.testing.assert_frame_equal(
            s.compute_segment_popularity(full, cust, week), s.compute_segment_popularity(cut, cust, week)
        )


def test_segment_pair_features():
    pop = _popularity(top_n=2)
    segs = s.customer_segments(fd.customers())
    pairs = pd.DataFrame({"customer_id": np.int32([1, 1, 3, 9]), "article_id": np.int32([A, D, A, A])})
    out = s.segment_pair_features(pairs, pop, segs)
    assert list(out.columns) == ["s_age_band_score", "s_age_band_rank", "s_postal_score", "s_postal_rank"]
    assert (out.dtypes == np.float32).all()
    arts, scores = _ranking(pop, "age_band", 7)
    assert out.loc[0, "s_age_band_rank"] == arts.index(A)
    assert out.loc[0, "s_age_band_score"] == pytest.approx(scores[arts.index(A)])
    assert np.isnan(out.loc[1, "s_age_band_score"])  # D is not in band 7's top 2
    assert out.loc[2, "s_age_band_rank"] == 0  # c3's band bought nothing: global top is A
    assert out.loc[3, "s_age_band_rank"] == _ranking(pop, "age_band", -1)[0].index(A)  # unknown customer


def test_segment_pair_features_in_chunks(monkeypatch):
    pop = _popularity(top_n=3)
    segs = s.customer_segments(fd.customers())
    pairs = pd.DataFrame({"customer_id": np.int32([0, 1, 2, 3, 1, 0, 2]), "article_id": np.int32([A, B, C, D, A, D, B])})
    whole = s.segment_pair_features(pairs, pop, segs)
    monkeypatch.setattr(s, "PAIR_CHUNK", 3)
    pd.testing.assert_frame_equal(s.segment_pair_features(pairs, pop, segs), whole)
    assert whole.notna().any().all()


def test_a_prepared_segment_table_gives_the_same_features_chunk_by_chunk():
    pop = _popularity(top_n=3)
    segs = s.customer_segments(fd.customers())
    pairs = pd.DataFrame({"customer_id": np.int32([0, 1, 2, 3, 1, 0, 2]), "article_id": np.int32([A, B, C, D, A, D, B])})
    whole = s.segment_pair_features(pairs, pop, segs)
    table = s.SegmentPairTable(pop, segs)
    pd.testing.assert_frame_equal(pd.concat([table(pairs.iloc[:4]), table(pairs.iloc[4:])]), whole)
    pd.testing.assert_frame_equal(table(pairs), whole)
    assert whole.notna().any().all()

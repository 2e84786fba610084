"""Each candidate strategy on a tiny hand-built history (week W = 2020-09-16).

Articles: product 1 = 1001, 1002, 1003; product 2 = 2001; product 3 = 3001, 3002; product 4 = 4001.
History (day, customer, article), weights 0.5 ** ((days before W - 1) / 14):
  09-15 c0 1001, 2001 (w 1)        09-01 c0 1001 (15 days, w 0.5)
  09-02 c1 3001 (w 2**(-13/14))    09-05 c1 2001 (w 2**(-10/14))   09-15 c1 1001, 2001 (w 1)
  09-10 c2 2001, 4001 (w 2**(-5/14))
  c3 never bought. Scope: c0..c3.
Baskets (customer, day) with two articles: {1001, 2001} twice, {2001, 4001} once.
Last week (09-09..09-15) distinct buyers: 2001: 3, 1001: 2, 4001: 1; week before: 2001: 1 (c1).
"""

import numpy as np
import pandas as pd
import pytest

from hm_assets.recsys import contracts, segments
from hm_assets.recsys import strategies as st
from hm_assets.recsys.strategies import factors as fm

W = pd.Timestamp("2020-09-16")
SCOPE = np.array([0, 1, 2, 3], dtype=np.int32)
ROWS = [
    ("2020-09-15", 0, 1001), ("2020-09-15", 0, 2001), ("2020-09-01", 0, 1001),
    ("2020-09-02", 1, 3001), ("2020-09-05", 1, 2001), ("2020-09-15", 1, 1001), ("2020-09-15", 1, 2001),
    ("2020-09-10", 2, 2001), ("2020-09-10", 2, 4001),
]
ARTICLE_IDS = [1001, 1002, 1003, 2001, 3001, 3002, 4001]
# rows dated in W or later: a leak if any strategy used them
FUTURE = [("2020-09-16", 0, 3002), ("2020-09-16", 3, 1003), ("2020-09-20", 2, 1002), ("2020-09-23", 1, 4001),
          ("2020-09-20", 3, 4001), ("2020-09-20", 3, 1003)]


def tx(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["t_dat", "customer_id", "article_id"])
    return frame.assign(t_dat=pd.to_datetime(frame.t_dat), customer_id=frame.customer_id.astype(np.int32),
                        article_id=frame.article_id.astype(np.int32))


def articles(ids=ARTICLE_IDS, product=lambda a: a // 1000) -> pd.DataFrame:
    ids = np.asarray(ids, dtype=np.int32)
    return pd.DataFrame({"article_id": ids, "product_code": np.asarray([product(a) for a in ids], dtype=np.int32)})


def customers(ages=(22, 23, None, 50), postal=("x", "x", "y", None)) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": np.arange(len(ages), dtype=np.int32),
            "age": np.array([np.nan if a is None else a for a in ages], dtype=np.float32),
            "postal_code": pd.Categorical(list(postal)),
        }
    )


def segment_table(rows) -> pd.DataFrame:
    kind, seg, art, rank = zip(*rows)
    return pd.DataFrame(
        {
            "segment_kind": pd.Categorical(kind, categories=["age_band", "postal_code"]),
            "segment": np.array(seg, dtype=np.int32),
            "article_id": np.array(art, dtype=np.int32),
            "score": np.linspace(1, 0.5, len(rows)).astype(np.float32),
            "rank": np.array(rank, dtype=np.int16),
        }
    )


# age band 1 (20-24): c0, c1; band 7 (50-54): c3; c2 unknown. Postal codes: x = 0 (c0, c1), y = 1 (c2).
SEGMENTS = segment_table(
    [("age_band", 1, 3001, 0), ("age_band", 1, 1001, 1), ("age_band", 7, 4001, 0),
     ("postal_code", 0, 2001, 0), ("postal_code", 1, 3002, 0), ("postal_code", 1, 1003, 1)]
)
FACTORS = {  # users 0 and 2; items 1001, 2001, 4001
    fm.USER_IDS: np.array([0, 2], dtype=np.int32),
    fm.USER_FACTORS: np.array([[1, 0], [0, 1]], dtype=np.float32),
    fm.ITEM_IDS: np.array([1001, 2001, 4001], dtype=np.int32),
    fm.ITEM_FACTORS: np.array([[3, 0], [1, 1], [0, 2]], dtype=np.float32),
}


def inputs(rows=ROWS, scope=SCOPE, **kw) -> st.StrategyInputs:
    given = dict(customers=customers(), articles=articles(), segment_popularity=SEGMENTS, factors=FACTORS)
    given.update(kw)
    return st.StrategyInputs(week=W, history=tx(rows), scope=scope, **given)


def run(name: str, n: int | None = None, **kw) -> pd.DataFrame:
    strategy = st.BY_NAME[name]
    frame = strategy(inputs(**kw), strategy.params(n=n))
    assert contracts.candidate_problems(frame) == []
    assert frame["strategy"].astype(str).eq(name).all()
    return frame


def lists(frame: pd.DataFrame) -> dict[int, list[int]]:
    ordered = frame.sort_values(["customer_id", "rank"])
    return {int(k): g["article_id"].tolist() for k, g in ordered.groupby("customer_id")}


def scores(frame: pd.DataFrame, customer: int) -> list[float]:
    return frame[frame.customer_id == customer].sort_values("rank")["score"].tolist()


def w(days: int) -> float:
    return 0.5 ** ((days - 1) / 14)


def test_repurchase_ranks_own_articles_by_decayed_count():
    out = run("repurchase", n=2)
    assert lists(out) == {0: [1001, 2001], 1: [2001, 1001], 2: [2001, 4001]}  # c2: tie -> lower id
    assert scores(out, 0) == pytest.approx([1 + w(15), 1])
    assert scores(out, 1) == pytest.approx([1 + w(11), 1])
    assert out["rank"].tolist() == [0, 1] * 3


def test_colour_variants_propose_the_other_colours_of_bought_products():
    out = run("colour_variants")
    # c0: product 1 (w 1.5) -> 1002, 1003; c1: product 1 (w 1) then product 3 -> 3002; c2: none
    assert lists(out) == {0: [1002, 1003], 1: [1002, 1003, 3002]}
    assert scores(out, 1) == pytest.approx([1, 1, w(14)])


def test_bought_together_sums_basket_counts_over_the_seeds():
    out = run("bought_together")
    # c0 seeds 1001, 2001: partners 2001 (2), 1001 (2), 4001 (1); own seeds removed
    assert lists(out) == {0: [4001], 1: [4001], 2: [1001]}
    assert scores(out, 2) == [2.0]


def test_popular_gives_everyone_last_weeks_bestsellers():
    out = run("popular", n=3)
    assert lists(out) == {k: [2001, 1001, 4001] for k in range(4)}
    assert scores(out, 3) == [3.0, 2.0, 1.0]


def test_trending_ranks_the_rise_in_buyers():
    out = run("trending")
    # 2001: 3 - 1 = 2, 1001: 2 - 0 = 2 (tie -> lower id), 4001: 1; 3001 fell out of the window
    assert lists(out) == {k: [1001, 2001, 4001] for k in range(4)}
    assert scores(out, 0) == [2.0, 2.0, 1.0]


def test_popular_age_band_reads_the_customer_band():
    out = run("popular_age_band")
    assert lists(out) == {0: [3001, 1001], 1: [3001, 1001], 3: [4001]}  # c2's age is unknown


def test_popular_postal_code_reads_the_customer_code():
    assert lists(run("popular_postal_code")) == {0: [2001], 1: [2001], 2: [3002, 1003]}
    assert lists(run("popular_postal_code", n=1)) == {0: [2001], 1: [2001], 2: [3002]}


@pytest.mark.parametrize("name", ["als", "bpr"])
def test_factor_strategies_rank_by_dot_product(name):
    out = run(name, n=2)
    assert lists(out) == {0: [1001, 2001], 2: [4001, 2001]}  # c1, c3 unknown to the model
    assert scores(out, 2) == [2.0, 1.0]


def test_pair_scores_are_dot_products_and_nan_when_unknown():
    pairs = pd.DataFrame({"customer_id": [2, 0, 1, 0], "article_id": [2001, 4001, 1001, 9999]})
    got = st.pair_scores(FACTORS, pairs)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, np.array([1, 0, np.nan, np.nan], dtype=np.float32))


def test_pair_scores_in_blocks_equal_one_pass(monkeypatch):
    rng = np.random.default_rng(0)
    pairs = pd.DataFrame({"customer_id": rng.integers(0, 4, 50), "article_id": rng.choice([1001, 2001, 4001, 9999], 50)})
    one_pass = st.pair_scores(FACTORS, pairs)
    monkeypatch.setattr(fm, "PAIR_SCORE_BLOCK", 3)
    np.testing.assert_array_equal(st.pair_scores(FACTORS, pairs), one_pass)
    assert np.isnan(one_pass).any() and (~np.isnan(one_pass)).sum() > 10


def test_recommend_gives_the_same_bits_on_one_blas_thread_as_on_every_core(monkeypatch):
    """recommend multiplies on every core; one BLAS thread must give the same candidates and
    scores, bit for bit (a product big enough for OpenBLAS to split it across threads)."""
    rng = np.random.default_rng(5)
    users, items = np.arange(6000, dtype=np.int32), np.arange(1, 3001, dtype=np.int32)
    factors = {
        fm.USER_IDS: users, fm.USER_FACTORS: rng.standard_normal((len(users), 64), dtype=np.float32),
        fm.ITEM_IDS: items, fm.ITEM_FACTORS: rng.standard_normal((len(items), 64), dtype=np.float32),
    }
    every_core = fm.recommend(factors, users, 12, "als")
    monkeypatch.setattr(fm.os, "cpu_count", lambda: 1)
    pd.testing.assert_frame_equal(fm.recommend(factors, users, 12, "als"), every_core)
    assert len(every_core) == 6000 * 12


def test_recommend_breaks_score_ties_by_lower_article_id_across_blocks(monkeypatch):
    monkeypatch.setattr(fm, "BLOCK_BYTES", 4 * 3)  # one customer per block
    tied = {**FACTORS, fm.ITEM_FACTORS: np.ones((3, 2), dtype=np.float32)}
    out = fm.recommend(tied, np.array([0, 2], dtype=np.int32), 2, "als")
    assert lists(out) == {0: [1001, 2001], 2: [1001, 2001]}


@pytest.mark.parametrize("name", st.NAMES)
def test_no_strategy_reads_rows_dated_in_w_or_later(name):
    before = run(name)
    after = run(name, rows=ROWS + FUTURE)
    pd.testing.assert_frame_equal(before, after)


@pytest.mark.parametrize("train", [fm.train_als, fm.train_bpr])
def test_factor_training_is_deterministic_and_ignores_w_and_later(train):
    params = fm.FactorParams(factors=4, iterations=3, item_weeks=1)
    a, b = train(tx(ROWS), W, params), train(tx(ROWS + FUTURE), W, params)
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
    assert a[fm.USER_IDS].tolist() == [0, 1, 2] and a[fm.ITEM_IDS].tolist() == [1001, 2001, 4001]  # 3001 not sold in the last week


def test_als_gives_the_same_factors_on_any_number_of_threads():
    rows = [("2020-09-10", c, 1001 + (c * a) % 7) for c in range(30) for a in range(1, 5)]
    params = fm.FactorParams(factors=4, iterations=5)
    one, two = fm.train_als(tx(rows), W, params, threads=1), fm.train_als(tx(rows), W, params, threads=2)
    for key in one:
        np.testing.assert_array_equal(one[key], two[key])
    assert np.abs(one[fm.USER_FACTORS]).sum() > 0  # trained, not the empty model


def test_factor_training_learns_co_purchase_structure():
    # two tastes: customers 0..19 buy 1001+1002, customers 20..39 buy 2001+2002; customer 40 bought 1001 only
    rows = [("2020-09-10", c, a) for c in range(20) for a in (1001, 1002)]
    rows += [("2020-09-11", c, a) for c in range(20, 40) for a in (2001, 2002)] + [("2020-09-12", 40, 1001)]
    model = fm.train_als(tx(rows), W, fm.FactorParams(factors=8, iterations=10))
    top = fm.recommend(model, np.array([40], dtype=np.int32), 2, "als")["article_id"].tolist()
    assert sorted(top) == [1001, 1002]


# --- data unlike the generator's ----------------------------------------------------------------


def every_strategy(inp: st.StrategyInputs) -> dict[str, pd.DataFrame]:
    out = {}
    for s in st.REGISTRY:
        frame = s(inp)
        assert contracts.candidate_problems(frame) == [], s.name
        assert set(frame["customer_id"]) <= set(inp.scope.tolist()), s.name
        out[s.name] = frame
    return out


def test_all_ages_missing_puts_everyone_in_the_unknown_band():
    cust = customers(ages=(None, None, None, None))
    table = segments.compute_segment_popularity(tx(ROWS), cust, W.date().isoformat(), top_n=3)
    out = every_strategy(inputs(customers=cust, segment_popularity=table))
    assert lists(out["popular_age_band"]) == {k: [2001, 1001, 4001] for k in range(4)}


def test_a_single_postal_code_gives_everyone_the_same_list():
    cust = customers(postal=("x", "x", "x", "x"))
    table = segments.compute_segment_popularity(tx(ROWS), cust, W.date().isoformat(), top_n=3)
    out = every_strategy(inputs(customers=cust, segment_popularity=table))
    assert lists(out["popular_postal_code"]) == {k: [2001, 1001, 4001] for k in range(4)}


def test_no_colour_variants_gives_no_variant_candidates():
    out = every_strategy(inputs(articles=articles(product=lambda a: a)))
    assert out["colour_variants"].empty
    assert len(out["repurchase"]) == 7


def test_empty_weeks_just_before_w():
    old = [r for r in ROWS if r[0] < "2020-09-05"]  # the last 11 days before W are empty
    out = every_strategy(inputs(rows=old))
    assert out["trending"].empty and out["bought_together"].empty  # no recent baskets, no rise
    # popular widens its window: 2 weeks find 3001, 4 weeks add 1001; the catalogue fills the rest
    assert lists(out["popular"])[3] == [3001, 1001, 1002, 1003, 2001, 3002, 4001]
    assert lists(out["repurchase"]) == {0: [1001], 1: [3001]}


def test_a_week_in_which_nobody_bought_anything():
    # W-1 (09-09..09-15) has no rows: popular falls back to the week before, trending finds no rise
    quiet = [r for r in ROWS if not ("2020-09-09" <= r[0] <= "2020-09-15")]
    out = every_strategy(inputs(rows=quiet))
    # two weeks back: 2001 and 3001 (one buyer each, id order); four weeks back: 1001
    assert lists(out["popular"])[0][:3] == [2001, 3001, 1001]
    assert out["trending"].empty


def test_no_history_at_all():
    out = every_strategy(inputs(rows=[]))
    assert lists(out["popular"])[0] == ARTICLE_IDS  # catalogue in id order for everyone
    for name in ("repurchase", "colour_variants", "bought_together", "trending"):
        assert out[name].empty, name

"""Blend: per-customer ranks, tuned weights on a past week, deterministic picks."""

import numpy as np
import pandas as pd
import pytest

from hm_assets.recsys import blend, metrics


def frame():
    # customer 0: model a prefers 11, model b prefers 12; customer 1: both prefer 20
    return pd.DataFrame(
        {
            "customer_id": np.array([0, 0, 0, 1, 1], dtype=np.int32),
            "article_id": np.array([10, 11, 12, 20, 21], dtype=np.int32),
            "score_a": np.array([0.1, 0.9, 0.5, 3.0, 1.0], dtype=np.float32),
            "score_b": np.array([0.2, 0.1, 0.7, 5.0, 5.0], dtype=np.float32),
        }
    )


def test_customer_ranks_break_ties_by_article_id():
    f = frame()
    assert blend.customer_ranks(f.customer_id, f.score_b, f.article_id).tolist() == [1, 2, 0, 0, 1]


def _lexsort_ranks(customers, scores, articles):
    """The definition, spelled out: sort by customer, then score descending, then article."""
    order = np.lexsort((articles, -scores.astype(np.float64), customers))
    ranks = np.empty(len(order), dtype=np.int32)
    position = 0
    for i, row in enumerate(order):
        position = 0 if i == 0 or customers[row] != customers[order[i - 1]] else position + 1
        ranks[row] = position
    return ranks


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shuffled", [False, True])
def test_customer_ranks_match_the_definition_on_any_row_order_and_score_type(dtype, shuffled):
    # sorted rows take the packed-key sort, shuffled ones the lexsort: both must give the
    # definition's ranks, with many ties (scores from a few values), -0.0 next to 0.0, negatives
    rng = np.random.default_rng(7)
    customers = np.repeat(np.arange(40, dtype=np.int32), rng.integers(1, 30, 40))
    articles = np.concatenate([np.sort(rng.choice(500, (customers == k).sum(), replace=False)) for k in range(40)]).astype(np.int32)
    scores = rng.choice(np.array([-2.5, -0.0, 0.0, 0.25, 1.0, 3e6], dtype=dtype), len(customers))
    if shuffled:
        order = rng.permutation(len(customers))
        customers, articles, scores = customers[order], articles[order], scores[order]
    expected = _lexsort_ranks(customers, scores, articles)
    np.testing.assert_array_equal(blend.customer_ranks(customers, scores, articles), expected)
    with_nan = scores.copy()
    with_nan[::5] = np.nan  # NaN ranks last (the lexsort path)
    np.testing.assert_array_equal(blend.customer_ranks(customers, with_nan, articles), _lexsort_ranks(customers, with_nan, articles))


def test_tuning_picks_the_model_that_ranks_the_bought_article_first():
    actual = pd.DataFrame({"customer_id": [0, 1], "article_id": [12, 20]})
    weights, grid = blend.tune_weights(frame(), actual, ["a", "b"], step=0.5)
    assert weights == {"a": 0.0, "b": 1.0}
    # b alone: customer 0 AP = 1, customer 1 AP = 1 -> 1.0; a alone: (1/2 + 1) / 2
    assert grid.set_index(["a", "b"])["map_at_12"].to_dict()[(1.0, 0.0)] == pytest.approx(0.75)
    assert grid["map_at_12"].max() == pytest.approx(1.0)


@pytest.mark.parametrize("repeated_pair", [False, True])
def test_ranking_scorer_equals_the_metric_on_any_scores(repeated_pair):
    """Buyers with and without candidates, candidates of non-buyers, repeated purchases, tied and
    NaN scores, rows in any order; a frame with a repeated pair takes the metric itself."""
    rng = np.random.default_rng(11)
    customers = np.repeat(np.arange(60, dtype=np.int32), rng.integers(1, 30, 60))
    articles = np.concatenate([rng.choice(80, (customers == k).sum(), replace=False) for k in range(60)]).astype(np.int32)
    rows = pd.DataFrame({"customer_id": customers, "article_id": articles}).sample(frac=1, random_state=2).reset_index(drop=True)
    if repeated_pair:
        rows = pd.concat([rows, rows.iloc[[0]]], ignore_index=True)
    bought = rows[rows["customer_id"] < 45].sample(n=70, random_state=3)  # only customers 0-44 buy
    actual = pd.concat([bought, bought.iloc[:5], pd.DataFrame({"customer_id": [100, 101], "article_id": [1, 2]})])
    scorer = blend.RankingScorer(rows, actual)
    assert scorer.unique is not repeated_pair
    for scores in (rng.random(len(rows)), rng.choice([0.0, 0.5, 1.0], len(rows)), np.where(rng.random(len(rows)) < 0.2, np.nan, rng.random(len(rows)))):
        expected = metrics.map_at_k(blend.top_k(rows, scores), actual)
        assert scorer(scores) == expected and 0.05 < expected < 1


def test_blend_picks_are_deterministic_and_carry_every_models_rank():
    picks = blend.blend_picks(frame(), {"a": 0.5, "b": 0.5}, k=1)
    again = blend.blend_picks(frame().sample(frac=1, random_state=3), {"a": 0.5, "b": 0.5}, k=1)
    pd.testing.assert_frame_equal(picks, again)
    # customer 0: a's top is 11, b's top is 12; rank blend (offset 5): 11 -> 1/5 + 1/7, 12 -> 1/6 + 1/5 -> 12 wins
    top = picks[picks["rank"] == 0]
    assert top["article_id"].tolist() == [12, 20]
    assert set(picks[picks.customer_id == 0]["article_id"]) == {11, 12}
    assert picks[picks.article_id == 11]["rank_a"].tolist() == [0]


def test_score_method_rescales_within_each_customer():
    f = frame()
    values = blend.normalised(f.customer_id.to_numpy(), f.score_a.to_numpy(), f.article_id.to_numpy(), "score")
    assert values.tolist() == pytest.approx([0.0, 1.0, 0.5, 1.0, 0.0])
    with pytest.raises(ValueError, match="blend method"):
        blend.normalised(f.customer_id.to_numpy(), f.score_a.to_numpy(), f.article_id.to_numpy(), "mean")


def test_weight_grid_lies_on_the_simplex():
    grid = blend.weight_grid(["a", "b", "c"], 0.25)
    assert len(grid) == 15 and all(sum(w.values()) == pytest.approx(1) for w in grid)
    assert grid[:3] == [{"a": 0.0, "b": 0.0, "c": 1.0}, {"a": 0.0, "b": 1.0, "c": 0.0}, {"a": 1.0, "b": 0.0, "c": 0.0}]


def test_shrink_pulls_toward_equal_weights():
    assert blend.shrink({"a": 1.0, "b": 0.0}, 0.5) == {"a": 0.75, "b": 0.25}
    assert blend.shrink({"a": 1.0, "b": 0.0}, 0.0) == {"a": 1.0, "b": 0.0}
    with pytest.raises(ValueError, match="shrink"):
        blend.shrink({"a": 1.0}, 2)


def test_screen_keeps_each_customers_best_rows_whatever_the_chunk():
    f = frame()
    # by score_a: customer 0 keeps 11 (0.9) and 12 (0.5); customer 1 keeps 20 (3.0) and 21
    mask = blend.screened(f.customer_id.to_numpy(), f.score_a.to_numpy(), f.article_id.to_numpy(), keep=2)
    assert mask.tolist() == [False, True, True, True, True]
    # keep 1 by score_b: ties (customer 1's 5.0, 5.0) go to the lower article id
    mask = blend.screened(f.customer_id.to_numpy(), f.score_b.to_numpy(), f.article_id.to_numpy(), keep=1)
    assert f.article_id[mask].tolist() == [12, 20]
    # a customer's rows alone give the same mask: per customer, not per chunk
    alone = f[f.customer_id == 1]
    assert blend.screened(alone.customer_id.to_numpy(), alone.score_b.to_numpy(), alone.article_id.to_numpy(), 1).tolist() == [True, False]
    assert blend.screened(f.customer_id.to_numpy(), f.score_a.to_numpy(), f.article_id.to_numpy(), keep=0).all()
    with pytest.raises(ValueError, match="screen keep"):
        blend.screened(f.customer_id.to_numpy(), f.score_a.to_numpy(), f.article_id.to_numpy(), keep=-1)


def test_single_maps_score_each_models_own_ranking():
    actual = pd.DataFrame({"customer_id": [0, 1], "article_id": [12, 20]})
    # a: customer 0's 12 is second (AP 1/2), customer 1's 20 first (1) -> 0.75; b: both first -> 1
    assert blend.single_maps(frame(), actual, ["a", "b"]) == {"a": pytest.approx(0.75), "b": pytest.approx(1.0)}

"""Training rows: feature joins, labels, seeded negative downsampling, customers without positives."""

import numpy as np
import pandas as pd
import pytest

from hm_assets.recsys import training

WEEK = "2020-09-09"


def candidates():
    return pd.DataFrame(
        {
            "customer_id": np.array([0, 0, 0, 1, 1, 2], dtype=np.int32),
            "article_id": np.array([10, 11, 12, 10, 13, 11], dtype=np.int32),
            "n_strategies": np.array([2, 1, 1, 1, 1, 1], dtype=np.int8),
            "rank_recent": np.array([0, np.nan, 1, 0, np.nan, np.nan], dtype=np.float32),
        }
    )


def test_join_features_keeps_candidate_order_and_fills_missing_with_nan():
    customer_features = pd.DataFrame({"customer_id": np.array([2, 0, 1], dtype=np.int32), "c_age": np.array([50, 20, 30], dtype=np.float32)})
    article_features = pd.DataFrame({"article_id": np.array([10, 11, 12], dtype=np.int32), "a_type": np.array([1, 2, 3], dtype=np.int16)})
    pair = lambda pairs: pd.DataFrame({"p_sum": (pairs.customer_id + pairs.article_id).astype(np.float32)})
    joined = training.join_features(candidates(), customer_features, article_features, [pair])
    assert joined["c_age"].tolist() == [20, 20, 20, 30, 30, 50]
    assert joined["a_type"].iloc[:4].tolist() == [1, 2, 3, 1]
    assert np.isnan(joined["a_type"].iloc[4])  # article 13 has no features
    assert joined["p_sum"].tolist() == [10, 11, 12, 11, 14, 13]
    assert training.feature_columns(joined) == ["n_strategies", "rank_recent", "c_age", "a_type", "p_sum"]


def test_join_features_refuses_shared_column_names():
    customer_features = pd.DataFrame({"customer_id": np.array([0, 1, 2], dtype=np.int32), "x": 1.0})
    article_features = pd.DataFrame({"article_id": np.array([10, 11, 12, 13], dtype=np.int32), "x": 2.0})
    with pytest.raises(ValueError, match="share column names"):
        training.join_features(candidates(), customer_features, article_features)


def test_labels_mark_pairs_bought_in_the_week():
    purchases = pd.DataFrame({"customer_id": [0, 0, 1, 5], "article_id": [12, 12, 99, 10]})
    assert training.label_pairs(candidates(), purchases).tolist() == [0, 0, 1, 0, 0, 0]


def test_sampling_keeps_positives_drops_customers_without_positive_and_is_seeded():
    frame = candidates()
    label = np.array([0, 0, 1, 0, 0, 0], dtype=np.int8)
    everything = training.sample_training_rows(frame, label, 1.0, seed=0, week=WEEK)
    assert everything["customer_id"].tolist() == [0, 0, 0]  # customers 1 and 2 have no positive
    assert everything["label"].tolist() == [0, 0, 1] and set(everything["week"]) == {WEEK}
    big = pd.DataFrame({"customer_id": np.repeat(np.arange(200, dtype=np.int32), 50), "article_id": np.tile(np.arange(50, dtype=np.int32), 200)})
    big_label = (big["article_id"] == 0).to_numpy().astype(np.int8)
    a = training.sample_training_rows(big, big_label, 0.2, seed=0, week=WEEK)
    b = training.sample_training_rows(big.iloc[::-1].reset_index(drop=True), big_label[::-1], 0.2, seed=0, week=WEEK)
    c = training.sample_training_rows(big, big_label, 0.2, seed=1, week=WEEK)
    assert a["label"].sum() == 200  # every positive kept
    assert abs((a["label"] == 0).sum() / (200 * 49) - 0.2) < 0.03
    key = lambda f: set(zip(f.customer_id, f.article_id))
    assert key(a) == key(b)  # row order does not decide a pair's fate
    assert key(a) != key(c)


def test_group_sizes_follow_week_and_customer():
    rows = pd.DataFrame({"week": ["w1", "w1", "w1", "w2", "w2"], "customer_id": [3, 3, 5, 3, 3], "article_id": [1, 2, 1, 1, 2]})
    assert training.group_sizes(training.sort_groups(rows)).tolist() == [2, 1, 2]


def test_customer_chunks_cover_each_customer_once():
    chunks = list(training.customer_chunks(np.array([5, 1, 5, 3, 9]), 2))
    assert [ch.tolist() for ch in chunks] == [[1, 3], [5, 9]]


def test_customer_cap_keeps_whole_customers_seeded_and_leaves_small_weeks_alone():
    rows = pd.DataFrame({"customer_id": np.repeat(np.arange(10, dtype=np.int32), 3), "article_id": np.tile([1, 2, 3], 10).astype(np.int32)})
    assert training.cap_customers(rows, 10, seed=0, week="2020-09-16") is rows
    capped = training.cap_customers(rows, 4, seed=0, week="2020-09-16")
    kept = capped["customer_id"].unique()
    assert len(kept) == 4 and len(capped) == 12  # four customers, each with its three rows
    # the choice follows the hash of each customer, not the row order
    shuffled = training.cap_customers(rows.sample(frac=1, random_state=1), 4, seed=0, week="2020-09-16")
    assert sorted(shuffled["customer_id"].unique()) == sorted(kept)
    other = training.cap_customers(rows, 4, seed=1, week="2020-09-16")
    assert sorted(other["customer_id"].unique()) != sorted(kept)
    with pytest.raises(ValueError, match="max_customers"):
        training.cap_customers(rows, 0, seed=0, week="2020-09-16")

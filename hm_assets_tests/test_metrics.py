import math

import pandas as pd
import pytest

from hm_assets.recsys import metrics


def preds(rows):
    return pd.DataFrame(rows, columns=["customer_id", "article_id", "rank"])


def truth(rows):
    return pd.DataFrame(rows, columns=["customer_id", "article_id"])


def test_perfect_predictions_score_one_and_none_score_zero():
    actual = truth([(1, 10), (1, 11), (2, 20)])
    assert metrics.map_at_k(preds([(1, 10, 0), (1, 11, 1), (2, 20, 0)]), actual) == 1.0
    assert metrics.map_at_k(preds([(1, 99, 0), (2, 98, 0)]), actual) == 0.0


def test_hand_worked_average_precision():
    # customer 1 bought {10, 12}; list 10, 11, 12 -> hits at 1 and 3: (1/1 + 2/3) / 2 = 5/6
    # customer 2 bought {20}; list 21, 20 -> hit at 2: (1/2) / 1
    # customer 3 bought {30} but got no prediction -> 0
    p = preds([(1, 10, 0), (1, 11, 1), (1, 12, 2), (2, 21, 0), (2, 20, 1)])
    a = truth([(1, 10), (1, 12), (2, 20), (3, 30)])
    assert metrics.map_at_k(p, a) == pytest.approx((5 / 6 + 1 / 2 + 0) / 3)


def test_duplicate_purchases_count_once_and_repeated_predictions_count_once():
    # actual has article 10 twice (two units): m = 1, not 2
    a = truth([(1, 10), (1, 10)])
    assert metrics.map_at_k(preds([(1, 10, 0)]), a) == 1.0
    # predicting 10 twice: the repeat is not a second hit, and it still uses slot 2
    a = truth([(1, 10), (1, 11)])
    p = preds([(1, 10, 0), (1, 10, 1), (1, 11, 2)])
    assert metrics.map_at_k(p, a) == pytest.approx((1 / 1 + 2 / 3) / 2)


def test_only_first_twelve_slots_count_and_m_is_capped_at_twelve():
    bought = [(1, a) for a in range(100, 120)]  # 20 distinct articles
    p = preds([(1, 100 + i, i) for i in range(20)])  # all 20 right, but only 12 slots count
    assert metrics.map_at_k(p, truth(bought)) == 1.0  # 12 hits / min(20, 12)
    late = preds([(1, 999, i) for i in range(12)] + [(1, 100, 12)])
    assert metrics.map_at_k(late, truth([(1, 100)])) == 0.0


def test_matches_reference_implementation_on_random_lists():
    import numpy as np

    rng = np.random.default_rng(0)
    rows, actual_rows, expected = [], [], []
    for cust in range(50):
        bought = set(rng.integers(0, 30, rng.integers(1, 6)).tolist())
        ranked = rng.integers(0, 30, 15).tolist()
        rows += [(cust, a, r) for r, a in enumerate(ranked)]
        actual_rows += [(cust, a) for a in bought]
        expected.append(metrics.average_precision(bought, ranked))
    assert metrics.map_at_k(preds(rows), truth(actual_rows)) == pytest.approx(sum(expected) / 50)


def test_non_buyers_are_not_scored():
    p = preds([(1, 10, 0), (2, 20, 0)])
    assert metrics.map_at_k(p, truth([(1, 10)])) == 1.0
    assert math.isnan(metrics.map_at_k(p, truth([])))


def test_recall_counts_distinct_true_pairs():
    cands = pd.DataFrame({"customer_id": [1, 1, 2], "article_id": [10, 11, 20]})
    a = truth([(1, 10), (1, 10), (1, 12), (2, 20), (3, 30)])  # distinct pairs: 4, found: 2
    assert metrics.recall(cands, a) == 0.5

"""Baseline strategies, list filling and the submission format, on hand-built histories."""

import numpy as np
import pandas as pd
import pytest

from hm_assets.recsys import baselines, contracts, history
from hm_assets.recsys.submission import format_submission, validate_submission

WEEK = pd.Timestamp("2020-09-16")


def tx(rows):
    return pd.DataFrame(rows, columns=["t_dat", "customer_id", "article_id"]).assign(t_dat=lambda d: pd.to_datetime(d.t_dat))


def test_popular_articles_count_distinct_buyers_in_the_window():
    h = tx(
        [
            ("2020-09-10", 1, 100), ("2020-09-10", 1, 100), ("2020-09-11", 1, 100),  # one buyer, 3 rows
            ("2020-09-12", 2, 200), ("2020-09-13", 3, 200),  # two buyers
            ("2020-09-01", 4, 300), ("2020-09-01", 5, 300), ("2020-09-01", 6, 300),  # outside a 1-week window
        ]
    )
    ranking = baselines.popular_articles(h, WEEK, n=2, weeks=1, catalogue=np.array([100, 200, 300]))
    assert ranking["article_id"].tolist() == [200, 100]
    assert ranking["score"].tolist() == [2.0, 1.0]
    assert ranking["rank"].tolist() == [0, 1]


def test_thin_window_widens_then_falls_back_to_catalogue():
    h = tx([("2020-09-14", 1, 100), ("2020-09-03", 2, 300), ("2020-09-04", 3, 300)])
    ranking = baselines.popular_articles(h, WEEK, n=4, weeks=1, catalogue=np.array([300, 100, 50, 999]))
    # last week: 100; two weeks: 300 added; history exhausted: catalogue in id order (50, 999)
    assert ranking["article_id"].tolist() == [100, 300, 50, 999]
    assert ranking["score"].tolist() == [1.0, 2.0, 0.0, 0.0]


def test_fill_with_popular_gives_k_distinct_articles_to_everyone():
    cands = contracts.candidates_frame([1, 1], [7, 8], "recent", [1.0, 0.5], [0, 1])
    popular = pd.DataFrame({"article_id": [8, 9, 10, 11], "score": [4.0, 3, 2, 1], "rank": [0, 1, 2, 3]})
    picks = baselines.fill_with_popular(cands, popular, np.array([1, 2]), k=3)
    assert picks[picks.customer_id == 1]["article_id"].tolist() == [7, 8, 9]  # 8 not repeated
    assert picks[picks.customer_id == 2]["article_id"].tolist() == [8, 9, 10]
    assert picks["rank"].tolist() == [0, 1, 2, 0, 1, 2]


def test_shared_list_is_the_first_customers_list():
    shared = contracts.candidates_frame([3, 3, 3, 5, 5, 5], [9, 7, 8, 9, 7, 8], "popular", [3, 1, 2, 3, 1, 2], [0, 2, 1, 0, 2, 1])
    got = baselines.shared_list(shared)
    assert got["article_id"].tolist() == [9, 8, 7] and got["rank"].tolist() == [0, 1, 2]


def test_submission_has_every_customer_and_zero_padded_ids():
    recs = pd.DataFrame({"customer_id": np.repeat([0, 1], 12), "article_id": np.tile(np.arange(108775001, 108775013), 2), "rank": np.tile(np.arange(12), 2)})
    customers = pd.DataFrame({"customer_id": [1, 0], "customer_hex": ["b" * 64, "a" * 64]})
    sub = format_submission(recs, customers)
    assert sub["customer_id"].tolist() == ["b" * 64, "a" * 64]
    assert sub["prediction"].iloc[0].split()[:2] == ["0108775001", "0108775002"]
    validate_submission(sub, n_customers=2)
    with pytest.raises(ValueError, match="not 12 ten-digit ids"):
        validate_submission(sub.assign(prediction="123"), n_customers=2)
    with pytest.raises(ValueError, match="one per customer"):
        validate_submission(sub, n_customers=3)
    # unsorted rows, a customer with more than 12 (the 12 best ranks kept), one with none (empty)
    shuffled = pd.DataFrame({"customer_id": [7] * 13, "article_id": np.arange(13) + 5, "rank": np.arange(13)[::-1]})
    three = pd.DataFrame({"customer_id": [7, 8, 9], "customer_hex": ["7" * 64, "8" * 64, "9" * 64]})
    out = format_submission(shuffled.sample(frac=1, random_state=0), three)["prediction"].tolist()
    assert out == [" ".join(f"{a:010d}" for a in range(17, 5, -1)), "", ""]
    assert format_submission(shuffled.iloc[:0], three)["prediction"].tolist() == ["", "", ""]


def test_first_week_without_history_still_gets_full_lists():
    from hm_assets.io.storage import ParquetHandle

    empty = history.read_weeks(ParquetHandle({}), ["t_dat", "customer_id", "article_id"])
    assert len(empty) == 0 and str(empty["t_dat"].dtype).startswith("datetime64")
    ranking = baselines.popular_articles(empty, WEEK, n=3, weeks=1, catalogue=np.array([5, 3, 9, 1]))
    assert ranking["article_id"].tolist() == [1, 3, 5]

import numpy as np
import pandas as pd

from hm_assets.recsys import contracts


def test_a_strategy_frame_keeps_the_contract():
    frame = contracts.candidates_frame([1, 1, 2], [10, 11, 10], "recent", [0.5, 0.2, 1.0], [0, 1, 0])
    assert contracts.candidate_problems(frame) == []


def test_contract_problems_name_the_column_and_rows():
    frame = contracts.candidates_frame([1, 1, 2], [10, 10, 10], "recent", [0.5, np.inf, 1.0], [0, -1, 0])
    problems = contracts.candidate_problems(frame)
    assert problems == [
        "2 rows repeat a (customer, article, strategy): {'customer_id': 1, 'article_id': 10}; {'customer_id': 1, 'article_id': 10}",
        "1 rows have a negative rank: {'customer_id': 1, 'rank': -1}",
        "1 rows have a non-finite score: {'customer_id': 1, 'score': inf}",
    ]
    assert contracts.candidate_problems(frame.drop(columns="score")) == [
        "columns are ['customer_id', 'article_id', 'strategy', 'rank'], expected "
        "['customer_id', 'article_id', 'strategy', 'score', 'rank']"
    ]
    assert contracts.candidate_problems(frame.astype({"rank": "int64"})) == ["column rank has dtype int64, expected int16"]


def test_recommendations_need_twelve_distinct_picks_for_everyone():
    good = pd.DataFrame({"customer_id": np.repeat([0, 1], 12), "article_id": np.tile(np.arange(12), 2), "rank": np.tile(np.arange(12), 2)})
    assert contracts.recommendation_problems(good, n_customers=2) == []
    assert contracts.recommendation_problems(good, n_customers=3) == ["2 customers have picks, expected all 3"]
    repeated = good.assign(article_id=np.r_[np.zeros(12, int), np.arange(12)])
    assert contracts.recommendation_problems(repeated, n_customers=2)[0].startswith("12 picks repeat an article")
    short = good.iloc[1:]
    assert contracts.recommendation_problems(short, n_customers=2) == ["1 customers do not have exactly 12 picks, e.g. {0: 11}"]


def test_strategy_must_be_categorical():
    frame = contracts.candidates_frame([1, 2], [10, 10], "recent", [0.5, 1.0], [0, 0])
    assert contracts.candidate_problems(frame.astype({"strategy": object})) == ["column strategy has dtype object, expected category"]

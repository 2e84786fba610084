"""The explain command's table: strategies, model scores and blend score per pick."""

import numpy as np
import pandas as pd

from hm_assets.explain import explain_picks


def test_each_pick_shows_who_proposed_it_and_every_score():
    recs = pd.DataFrame({"customer_id": 7, "article_id": [30, 10, 20], "rank": [2, 0, 1]})
    blend = pd.DataFrame({"customer_id": 7, "article_id": [10, 20], "score_m1": [0.9, 0.5], "rank_m1": [0, 1], "blend_score": [0.4, 0.3], "rank": [0, 1]})
    cands = pd.DataFrame({"customer_id": 7, "article_id": [10, 20], "by_repurchase": [1, 0], "by_popular": [1, 1], "rank_popular": [3.0, 1.0]})
    table = explain_picks(recs, blend, cands)
    assert table["article_id"].tolist() == [10, 20, 30]
    assert table["strategies"].tolist() == ["repurchase, popular", "popular", "popularity fill"]
    assert table["score_m1"].iloc[:2].tolist() == [0.9, 0.5] and np.isnan(table["score_m1"].iloc[2])
    assert list(table.columns) == ["rank", "article_id", "strategies", "score_m1", "blend_score"]

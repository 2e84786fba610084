"""Scoring named prediction sets, overall and by activity segment, with hand-worked MAP@12."""

import numpy as np
import pandas as pd
import pytest

from hm_assets.recsys import evaluation

WEEK = "2020-09-16"


def test_segments_by_history_before_the_week():
    history = pd.DataFrame(
        {"t_dat": pd.to_datetime(["2020-09-10", "2020-07-01", "2020-09-17"]), "customer_id": [1, 2, 3]}
    )
    seg = evaluation.activity_segments(np.array([1, 2, 3, 4]), history, WEEK)
    # customer 3's only purchase is in W itself: it does not count
    assert seg.astype(str).tolist() == ["active", "dormant", "no history", "no history"]


def test_scores_overall_and_by_segment():
    actual = pd.DataFrame({"customer_id": [1, 1, 2], "article_id": [10, 11, 20]})
    preds = {
        "perfect": pd.DataFrame({"customer_id": [1, 1, 2], "article_id": [10, 11, 20], "rank": [0, 1, 0]}),
        "half": pd.DataFrame({"customer_id": [1, 1, 2], "article_id": [99, 11, 21], "rank": [0, 1, 0]}),
    }
    table = evaluation.score_predictions(preds, actual)
    assert table["method"].tolist() == ["perfect", "half"]
    # half: customer 1 AP = (1/2)/2, customer 2 AP = 0 -> 1/8; recall 1 of 3 pairs
    assert table["map_at_12"].tolist() == pytest.approx([1.0, 1 / 8])
    assert table["recall_at_12"].tolist() == pytest.approx([1.0, 1 / 3])
    seg = pd.Series(pd.Categorical(["active", "no history"], categories=evaluation.SEGMENTS), index=[1, 2])
    by = evaluation.score_by_segment(preds, actual, seg)
    half = by[by.method == "half"].set_index("segment")
    assert half.loc["active", "map_at_12"] == pytest.approx(1 / 4)
    assert half.loc["no history", "map_at_12"] == 0
    assert "dormant" not in set(by.segment)
    with pytest.raises(ValueError, match="without a segment"):
        evaluation.score_by_segment(preds, actual, seg.iloc[:1])


def test_ranked_by_takes_the_lowest_ranks_and_skips_unproposed():
    frame = pd.DataFrame({"customer_id": [1, 1, 1], "article_id": [5, 6, 7], "rank_x": [2.0, np.nan, 0.0]})
    out = evaluation.ranked_by(frame, "rank_x", k=12)
    assert out["article_id"].tolist() == [7, 5] and out["rank"].tolist() == [0, 1]

"""Scores across weeks, and the rounding every metadata number goes through."""

import math

import numpy as np
import pandas as pd
import pytest

from hm_assets.defs import metadata
from hm_assets.recsys import tracking


def _report(maps, recalls, methods=("popularity", "pipeline"), extra=False):
    frame = pd.DataFrame({"method": list(methods), "map_at_12": maps, "recall_at_12": recalls})
    return frame.assign(buyers=3) if extra else frame


def test_reports_stack_by_week_in_the_reports_method_order():
    scores = tracking.stack_reports({
        "2020-09-16": _report([0.5, 0.75], [0.25, 0.5]),
        "2020-09-09": _report([0.1, 0.2], [0.3, 0.4], extra=True),  # extra columns are dropped
    })
    assert list(scores.columns) == ["week", "method", "map_at_12", "recall_at_12"]
    assert scores["week"].tolist() == ["2020-09-09", "2020-09-09", "2020-09-16", "2020-09-16"]
    assert scores["method"].tolist() == ["popularity", "pipeline"] * 2
    wide = tracking.by_week(scores, tracking.MAP)
    assert wide.columns.tolist() == ["week", "popularity", "pipeline"]
    assert wide["pipeline"].tolist() == [0.2, 0.75]
    means = tracking.mean_by_method(scores)
    assert means["map_at_12"].tolist() == pytest.approx([0.3, 0.475]) and means["weeks"].tolist() == [2, 2]


def test_a_method_missing_in_a_week_is_nan_and_no_weeks_is_an_empty_table():
    scores = tracking.stack_reports({"2020-09-09": _report([0.1], [0.2], methods=("popularity",)),
                                     "2020-09-16": _report([0.5, 0.75], [0.25, 0.5])})
    wide = tracking.by_week(scores, tracking.RECALL)
    assert math.isnan(wide.loc[0, "pipeline"]) and wide.loc[1, "pipeline"] == 0.5
    empty = tracking.stack_reports({})
    assert list(empty.columns) == ["week", "method", "map_at_12", "recall_at_12"] and empty.empty


def test_a_report_without_a_score_column_names_week_and_column():
    with pytest.raises(ValueError, match=r"week 2020-09-16 lacks column\(s\) \['recall_at_12'\]"):
        tracking.stack_reports({"2020-09-16": pd.DataFrame({"method": ["x"], "map_at_12": [0.1]})})


def test_rounding_keeps_four_significant_digits():
    assert metadata.rounded(0.013764129) == 0.01376
    assert metadata.rounded(2 / 3) == 0.6667
    assert metadata.rounded(12345.6) == 12350.0
    assert metadata.rounded(-0.000123456) == -0.0001235
    assert metadata.rounded(0.0) == 0.0 and math.isnan(metadata.rounded(float("nan")))


def test_metadata_numbers_round_floats_keep_ints_and_drop_undefined():
    out = metadata.numbers({"map": np.float32(0.0137641), "rows": np.int64(7), "nan": float("nan"), "none": None,
                            "name": "x", "flag": np.bool_(True)})
    assert out == {"map": 0.01376, "rows": 7, "name": "x", "flag": True}
    assert type(out["rows"]) is int


def test_metadata_tables_show_rounded_floats():
    text = metadata.table(pd.DataFrame({"method": ["a"], "map_at_12": [0.0137641293]})).value
    assert "0.01376" in text and "0.0137641" not in text

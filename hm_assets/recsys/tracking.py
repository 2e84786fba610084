"""Scores across weeks: the per-week evaluation reports stacked into one tracking table.

No Dagster import. A week's report has one row per named prediction set (``method``) with
``map_at_12`` and ``recall_at_12``; the tracking table adds the ``week`` it scored.
"""

from collections.abc import Mapping

import pandas as pd

WEEK = "week"
METHOD = "method"
MAP = "map_at_12"
RECALL = "recall_at_12"
SCORE_COLUMNS = [METHOD, MAP, RECALL]


def stack_reports(reports: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """``week, method, map_at_12, recall_at_12`` for every (week, method), sorted by week then
    by the method's order in the reports.

    ``reports`` maps week keys to that week's report. Reports may carry more columns (they are
    dropped); a report lacking a score column raises, naming the week and the column.
    """
    frames = []
    for week, report in reports.items():
        missing = [col for col in SCORE_COLUMNS if col not in report.columns]
        if missing:
            raise ValueError(f"evaluation report of week {week} lacks column(s) {missing}; has {list(report.columns)}")
        frames.append(report[SCORE_COLUMNS].assign(**{WEEK: week}))
    if not frames:
        return pd.DataFrame(
            {WEEK: pd.Series(dtype=str), METHOD: pd.Series(dtype=str), MAP: pd.Series(dtype="float64"),
             RECALL: pd.Series(dtype="float64")}
        )
    scores = pd.concat(frames, ignore_index=True)[[WEEK, *SCORE_COLUMNS]]
    methods = list(dict.fromkeys(scores[METHOD]))  # first-seen order: the report's own order
    scores[METHOD] = pd.Categorical(scores[METHOD], categories=methods, ordered=True)
    scores = scores.sort_values([WEEK, METHOD], kind="stable", ignore_index=True)
    scores[METHOD] = scores[METHOD].astype(str)
    return scores


def by_week(scores: pd.DataFrame, value: str) -> pd.DataFrame:
    """One row per week, one column per method, holding ``value`` (``map_at_12`` or
    ``recall_at_12``); a method missing in a week is NaN."""
    methods = list(dict.fromkeys(scores[METHOD]))
    wide = scores.pivot(index=WEEK, columns=METHOD, values=value).reindex(columns=methods)
    wide.columns.name = None
    return wide.reset_index()


def mean_by_method(scores: pd.DataFrame) -> pd.DataFrame:
    """``method, weeks, map_at_12, recall_at_12``: each method's mean over the weeks it was scored."""
    grouped = scores.groupby(METHOD, sort=False)
    out = grouped[[MAP, RECALL]].mean()
    out.insert(0, "weeks", grouped[WEEK].nunique())
    return out.reset_index()

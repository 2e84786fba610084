"""Per-column summary statistics of a feature table, for a person reading the Dagster UI.

A broken feature shows up as a column that is all missing, constant, or out of range; one
Markdown table of min / mean / max / share missing per column makes that visible at a glance.
Pure pandas, no Dagster.
"""

from collections.abc import Sequence

import numpy as np
import pandas as pd

SIGNIFICANT_DIGITS = 4


def round_significant(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """``value`` rounded to ``digits`` significant digits (NaN and infinities unchanged)."""
    value = float(value)
    if not np.isfinite(value) or value == 0:
        return value
    return float(f"{value:.{digits}g}")


def feature_summary(frame: pd.DataFrame, exclude: Sequence[str] = ()) -> pd.DataFrame:
    """One row per numeric column (except ``exclude``): ``feature, min, mean, max, missing``.

    ``missing`` is the share of NaN values; min / mean / max ignore them (NaN if all missing).
    Numbers are rounded to 4 significant digits. Non-numeric columns are skipped.
    """
    rows = []
    for name in frame.columns:
        if name in exclude or not pd.api.types.is_numeric_dtype(frame[name].dtype):
            continue
        values = frame[name].to_numpy(dtype=np.float64, na_value=np.nan)
        missing = np.isnan(values)
        present = values[~missing]
        stats = (present.min(), present.mean(), present.max()) if len(present) else (np.nan, np.nan, np.nan)
        share = missing.mean() if len(values) else np.nan
        rows.append((name, *(round_significant(v) for v in stats), round_significant(share)))
    return pd.DataFrame(rows, columns=["feature", "min", "mean", "max", "missing"])


def feature_summary_markdown(frame: pd.DataFrame, exclude: Sequence[str] = ()) -> str:
    """:func:`feature_summary` as a Markdown table."""
    return feature_summary(frame, exclude).to_markdown(index=False, floatfmt=".4g")

"""Metadata a person reads: every float rounded to what a person reads, tables in Markdown.

The one place where numbers become materialization metadata: assets pass their floats through
``numbers`` (or ``rounded``) and their frames through ``table``, so the UI never shows 17 digits
and a MAP@12 of 0.013764 reads the same in every asset, table and plot title.
"""

import math
from collections.abc import Mapping
from typing import Any

import dagster as dg
import numpy as np
import pandas as pd

from hm_assets.defs.exploration import plots

SIGNIFICANT_DIGITS = 4


def rounded(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """``value`` to ``digits`` significant digits (0.0137641 -> 0.01376, 12345.6 -> 12350.0)."""
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def numbers(values: Mapping[str, Any], digits: int = SIGNIFICANT_DIGITS) -> dict[str, Any]:
    """Metadata entries with floats rounded; ints and other values kept; undefined floats
    (None, NaN, inf) left out, since the UI plots numeric metadata over time."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, (bool, np.bool_)):
            out[key] = bool(value)
        elif isinstance(value, (int, np.integer)):
            out[key] = int(value)
        elif isinstance(value, (float, np.floating)):
            if math.isfinite(float(value)):
                out[key] = rounded(value, digits)
        else:
            out[key] = value
    return out


def rounded_frame(frame: pd.DataFrame, digits: int = SIGNIFICANT_DIGITS) -> pd.DataFrame:
    """A copy with float columns rounded to ``digits`` significant digits (element-wise)."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = [rounded(v, digits) for v in out[col].to_numpy(np.float64)]
    return out


def table(frame: pd.DataFrame, floatfmt: str = "g", digits: int = SIGNIFICANT_DIGITS) -> dg.MetadataValue:
    """A Markdown table of a small report frame, floats rounded first (NaN shows as n/a)."""
    return dg.MetadataValue.md(plots.markdown_table(rounded_frame(frame, digits), floatfmt))


def image(title: str, png: bytes) -> dg.MetadataValue:
    """An embedded PNG (Dagster has no image metadata type)."""
    return dg.MetadataValue.md(plots.markdown_image(title, png))

"""Small PNG charts and Markdown tables for asset metadata. No Dagster import.

Dagster has no image metadata type; a PNG goes in a Markdown value as a ``data:`` URI
(``markdown_image``). Figures are built with matplotlib's object API (``Figure`` drawn by the
Agg canvas), which leaves pyplot's global state and backend alone and needs no closing.
matplotlib is imported inside the functions so that loading the definitions stays fast.
A chart with nothing to draw says ``n/a`` instead of failing.
"""

import base64
import io
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

SIZE = (8, 3)  # inches; at DPI this keeps each PNG around 20-40 kB
DPI = 80
NA = "n/a"


def _cell(value, floatfmt: str) -> str:
    if value is None or (isinstance(value, (float, np.floating)) and math.isnan(value)):
        return NA
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        # counts stored as floats (a statistic/value table) read better without decimals
        if float(value).is_integer() and abs(value) >= 2:
            return f"{int(value):,}"
        return format(float(value), floatfmt)
    return str(value)


def markdown_table(frame: pd.DataFrame, floatfmt: str = ".4f") -> str:
    """A Markdown table: NaN shows as ``n/a``, datetimes as dates, whole numbers with thousands
    separators, and a table without rows as one row of ``n/a`` (undefined on this data)."""
    from tabulate import tabulate

    rows = [[_cell(v, floatfmt) for v in row] for row in frame.itertuples(index=False)]
    if not rows:
        rows = [[NA] * len(frame.columns)]
    numeric = [pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in frame.dtypes]
    align = ["right" if n else "left" for n in numeric]
    headers = [str(col) for col in frame.columns]
    return tabulate(rows, headers=headers, tablefmt="pipe", disable_numparse=True, colalign=align)


def markdown_image(title: str, png: bytes) -> str:
    """An embedded PNG: ``![title](data:image/png;base64,...)``."""
    return f"![{title}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})"


def _figure(size=SIZE):
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=DPI)
    return fig, fig.add_subplot()


def _png(fig) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def _finite(values) -> bool:
    v = np.asarray(values, dtype=np.float64)
    return bool(len(v)) and bool(np.isfinite(v).any())


def _not_available(ax, title: str) -> None:
    ax.text(0.5, 0.5, NA, ha="center", va="center", fontsize=14, color="grey", transform=ax.transAxes)
    ax.set_axis_off()
    ax.set_title(title, fontsize=10)


def line_chart(
    x,
    series: Mapping[str, Sequence[float]],
    title: str,
    ylabel: str = "",
    xlabel: str = "",
    percent: bool = False,
    markers: bool = False,
) -> bytes:
    """One line per entry of ``series`` over ``x`` (dates or numbers); NaN leaves a gap."""
    fig, ax = _figure()
    if not len(x) or not any(_finite(v) for v in series.values()):
        _not_available(ax, title)
        return _png(fig)
    for label, values in series.items():
        y = np.asarray(values, dtype=np.float64)
        ax.plot(x, y, label=label, linewidth=1, marker="o" if markers else None, markersize=3)
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3)
    if percent:
        from matplotlib.ticker import PercentFormatter

        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    if len(series) > 1:
        ax.legend(fontsize=8, ncols=min(len(series), 4))
    return _png(fig)


def twin_line_chart(x, left: tuple[str, Sequence[float]], right: tuple[str, Sequence[float]], title: str) -> bytes:
    """Two lines over ``x`` with their own y axes (e.g. daily rows and distinct buyers)."""
    fig, ax = _figure()
    if not len(x) or not (_finite(left[1]) or _finite(right[1])):
        _not_available(ax, title)
        return _png(fig)
    ax.plot(x, left[1], linewidth=0.8, color="tab:blue")
    ax.set_ylabel(left[0], color="tab:blue", fontsize=9)
    other = ax.twinx()
    other.plot(x, right[1], linewidth=0.8, color="tab:orange", alpha=0.8)
    other.set_ylabel(right[0], color="tab:orange", fontsize=9)
    for a in (ax, other):
        a.tick_params(labelsize=8)
    ax.grid(alpha=0.3)
    ax.set_title(title, fontsize=10)
    return _png(fig)


def bar_chart(
    labels: Sequence,
    values: Sequence[float],
    title: str,
    ylabel: str = "",
    horizontal: bool = False,
    percent: bool = False,
    log_scale: bool = False,
) -> bytes:
    """One bar per label, in the order given (horizontal bars read top to bottom)."""
    size = (SIZE[0], max(SIZE[1], 0.18 * len(labels) + 0.8)) if horizontal else SIZE
    fig, ax = _figure(size)
    if not len(labels) or not _finite(values):
        _not_available(ax, title)
        return _png(fig)
    names = [str(v) for v in labels]
    heights = np.nan_to_num(np.asarray(values, dtype=np.float64))
    if horizontal:
        ax.barh(names[::-1], heights[::-1], color="tab:blue")
        ax.set_xlabel(ylabel, fontsize=9)
    else:
        ax.bar(names, heights, color="tab:blue")
        ax.set_ylabel(ylabel, fontsize=9)
        if len(names) > 12 or max(len(n) for n in names) > 6:
            ax.tick_params(axis="x", labelrotation=90)
    axis = ax.xaxis if horizontal else ax.yaxis
    if percent:
        from matplotlib.ticker import PercentFormatter

        axis.set_major_formatter(PercentFormatter(1.0))
    if log_scale and heights.max() > 0:
        (ax.set_xscale if horizontal else ax.set_yscale)("log")
    ax.tick_params(labelsize=7 if len(names) > 12 else 8)
    ax.grid(alpha=0.3, axis="x" if horizontal else "y")
    ax.set_title(title, fontsize=10)
    return _png(fig)


def histogram_chart(edges_from: Sequence[float], edges_to: Sequence[float], counts: Sequence[float], title: str,
                    xlabel: str = "", log_x: bool = False) -> bytes:
    """Bars spanning ``[edges_from, edges_to)`` with heights ``counts`` (a precomputed histogram)."""
    fig, ax = _figure()
    if not len(counts) or not _finite(counts):
        _not_available(ax, title)
        return _png(fig)
    lo, hi = np.asarray(edges_from, np.float64), np.asarray(edges_to, np.float64)
    widths = np.where(hi > lo, hi - lo, np.maximum(np.abs(lo) * 0.05, 1e-9))
    ax.bar(lo, counts, width=widths, align="edge", color="tab:blue", edgecolor="white", linewidth=0.3)
    if log_x and lo.min() > 0 and math.isfinite(hi.max()):
        ax.set_xscale("log")
    ax.set_xlabel(xlabel, fontsize=9)
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3, axis="y")
    ax.set_title(title, fontsize=10)
    return _png(fig)

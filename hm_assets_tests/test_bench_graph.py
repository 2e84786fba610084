"""The whole-graph benchmark's arithmetic, on hand-made step events (no Dagster run, no timing)."""

import importlib.util
from pathlib import Path

import pytest

GIB = 2**30


@pytest.fixture(scope="module")
def bench():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_graph.py"
    spec = importlib.util.spec_from_file_location("bench_graph", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EVENTS = [
    (100.0, "RUN_START", None),
    (100.5, "STEP_START", "customers"),
    (103.0, "STEP_SUCCESS", "customers"),
    (103.2, "STEP_START", "customers_check"),
    (103.7, "STEP_SUCCESS", "customers_check"),
    (104.0, "STEP_START", "submission"),
    (110.0, "STEP_FAILURE", "submission"),
    (111.0, "RUN_FAILURE", None),
]


def test_step_walls_come_from_start_and_end_events(bench):
    wall, steps = bench.step_figures(EVENTS, {"customers": 2 * GIB, "submission": 3 * GIB})
    assert wall == pytest.approx(11.0)
    assert [(s.step, round(s.wall_s, 6), s.peak_rss, s.ok) for s in steps] == [
        ("customers", 2.5, 2 * GIB, True),
        ("customers_check", 0.5, None, True),  # no hook report: no peak
        ("submission", 6.0, 3 * GIB, False),
    ]


def test_a_run_without_its_end_event_is_an_error(bench):
    with pytest.raises(ValueError, match="RUN_START"):
        bench.step_figures(EVENTS[:-1], {})


def test_tables_sum_walls_by_stage_and_keep_the_largest_peak(bench):
    S, R = bench.StepFigure, bench.RunFigure
    runs = [
        R("inputs", "2020-09-09", 10.0, (S("customer_features", 4.0, 1 * GIB), S("candidates", 5.0, 2 * GIB))),
        R("inputs", "2020-09-16", 12.0, (S("customer_features", 6.0, 3 * GIB), S("candidates", 5.5, int(1.5 * GIB)))),
        R("models", "2020-09-16", 20.0, (S("blend", 19.0, int(2.5 * GIB)),)),
    ]
    table = bench.report_table(runs).splitlines()
    assert "| inputs | 2020-09-16 | customer_features | 6.0 | 3.00 |" in table
    assert "| **inputs** | 2 runs | | **22.0** | **3.00** |" in table
    assert "| **models** | 1 run | | **20.0** | **2.50** |" in table
    assert table[-1] == "| **total** | 3 runs | | **42.0** | **3.00** |"
    by_step = bench.step_totals_table(runs).splitlines()
    assert by_step[2:] == [
        "| models | blend | 1 | 19.0 | 2.50 |",
        "| inputs | candidates | 2 | 10.5 | 2.00 |",
        "| inputs | customer_features | 2 | 10.0 | 3.00 |",
    ]
    incremental = [R("inputs", "2020-09-23", 11.0, ()), R("models", "2020-09-23", 21.0, ())]
    compared = bench.comparison_table(runs, incremental).splitlines()
    assert "| inputs | 22.0 | 11.0 | 0.500 | 3.00 |  |" in compared
    assert compared[-1] == "| **total** | **42.0** | **32.0** | **0.762** | **3.00** |  |"


def test_the_peak_reset_lowers_the_high_water_mark(bench):
    """Linux semantics the benchmark relies on: after a reset the mark is the current RSS."""
    block = bytearray(256 * 2**20)
    block[:: 4096] = b"x" * len(block[:: 4096])  # touch every page: resident
    high = bench.peak_rss()
    del block
    bench.reset_peak_rss()
    assert bench.peak_rss() < high - 200 * 2**20
